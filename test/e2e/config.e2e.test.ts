import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { serviceEnv } from '../support/auth.js';
import { gql, gqlError } from '../support/graphqlClient.js';
import { logHead } from '../support/log.js';
import { scratchDir, startServiceProcess } from '../support/serviceProcess.js';

const MAIN = new URL('../../dist/src/main.js', import.meta.url).pathname;
const scratch = scratchDir();

afterAll(() => scratch.cleanup());

/** Starts `npm start`'s program with the environment; it must refuse, and says so on stderr. */
function refusedStart(env: Record<string, string>) {
  const run = spawnSync(process.execPath, [MAIN], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'test', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout, lines: run.stderr.trim().split('\n') };
}

describe('configuration surprises are refused at start, in one line', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['AUTH_DISABLED in production', { AUTH_DISABLED: 'true', NODE_ENV: 'production' }, /AUTH_DISABLED.*production/],
    ['AUTH_DISABLED that is no boolean', { AUTH_DISABLED: 'ture' }, /AUTH_DISABLED must be true or false/],
    ['an unknown NODE_ENV', { NODE_ENV: 'prod' }, /NODE_ENV must be one of/],
    [
      'a bootstrap token with a space',
      { BOOTSTRAP_ADMIN_TOKEN: `${'x'.repeat(20)} ${'y'.repeat(20)}` },
      /without spaces/,
    ],
    ['a bootstrap token over 200 characters', { BOOTSTRAP_ADMIN_TOKEN: 'x'.repeat(201) }, /24 to 200 characters/],
    ['a port that is no number', { PORT: 'eighty' }, /PORT must be a non-negative integer/],
  ];
  for (const [name, env, reason] of cases)
    it(name, () => {
      const { status, stdout, lines } = refusedStart({ SQLITE_PATH: scratch.sqlitePath, ...env });
      expect(status).toBe(1);
      expect(stdout).not.toMatch(/serving GraphQL/);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^bounce-patterns cannot start: /);
      expect(lines[0]).toMatch(reason);
    });

  it('NODE_ENV is read without regard to case: PRODUCTION is production', async () => {
    const service = await startServiceProcess(serviceEnv(scratch.sqlitePath, { NODE_ENV: 'PRODUCTION' }));
    const introspection = await gqlError(service.url, '{ __schema { queryType { name } } }');
    expect(introspection.message).toMatch(/introspection/i);
    await service.stop();
  });

  it('restarting with another BOOTSTRAP_ADMIN_TOKEN is refused instead of adding a second admin', async () => {
    const first = await startServiceProcess(serviceEnv(scratch.sqlitePath));
    await first.stop();
    const head = await logHead(scratch.sqlitePath);
    const { status, lines } = refusedStart({
      SQLITE_PATH: scratch.sqlitePath,
      BOOTSTRAP_ADMIN_TOKEN: 'bp_another_admin_0123456789abcdef',
    });
    expect(status).toBe(1);
    expect(lines).toEqual([expect.stringMatching(/BOOTSTRAP_ADMIN_TOKEN is not the secret of this log's admin token/)]);
    expect(await logHead(scratch.sqlitePath)).toBe(head);
    const again = await startServiceProcess(serviceEnv(scratch.sqlitePath));
    const admins = await gql(again.url, '{ apiTokens { role revoked } }');
    expect(admins.data.apiTokens.filter((t: { role: string }) => t.role === 'ADMIN')).toHaveLength(1);
    await again.stop();
  });
});
