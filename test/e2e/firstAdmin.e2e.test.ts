import { createServer, type Server } from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { bearer } from '../support/auth.js';
import { gql } from '../support/graphqlClient.js';
import { runCli } from '../support/cli.js';
import { scratchDir, startServiceProcess } from '../support/serviceProcess.js';

const scratch = scratchDir();
afterAll(() => scratch.cleanup());

const ME = '{ me { name role } }';
const tokensInLog = () => {
  const db = new Database(scratch.sqlitePath, { readonly: true });
  const count = (db.prepare("SELECT COUNT(*) AS n FROM events WHERE type = 'ApiTokenCreated'").get() as { n: number })
    .n;
  db.close();
  return count;
};

describe('the first admin token cannot be lost', () => {
  it('a start on a busy port fails before it writes anything, so no token is left that no one saw', async () => {
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = String((busy.address() as { port: number }).port);
    try {
      await expect(startServiceProcess({ SQLITE_PATH: scratch.sqlitePath, PORT: port })).rejects.toThrow(
        /exited with 1 before serving:\nbounce-patterns cannot start: .*EADDRINUSE/,
      );
    } finally {
      busy.close();
    }
    expect(tokensInLog()).toBe(0);
  });

  it('is printed before the log holds it, and a lost one is replaced from the command line with access to the store', async () => {
    const service = await startServiceProcess({ SQLITE_PATH: scratch.sqlitePath });
    try {
      const printed = /First admin token[^\n]*\n\s+(bp_\S+)/.exec(service.output())?.[1];
      expect(printed).toBeDefined();
      expect((await gql(service.url, ME, {}, bearer(printed!))).data?.me.role).toBe('ADMIN');

      // The operator lost it: the command line writes another admin token to the log the service follows.
      const added = await runCli(['add-admin-token', '--name', 'ops recovery'], { SQLITE_PATH: scratch.sqlitePath });
      expect(added.code).toBe(0);
      const secret = /\n\s+(bp_\S+)/.exec(added.stdout)?.[1];
      expect(added.stdout).toMatch(/stored at position \d+/);
      let me: any;
      for (let i = 0; i < 100 && me?.role !== 'ADMIN'; i++) {
        me = (await gql(service.url, ME, {}, bearer(secret!))).data?.me;
        if (me?.role !== 'ADMIN') await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(me).toEqual({ name: 'ops recovery', role: 'ADMIN' });
      expect(tokensInLog()).toBe(2);
    } finally {
      await service.stop();
    }
  });
});
