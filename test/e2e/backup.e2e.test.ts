import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { serviceEnv } from '../support/auth.js';
import { runCli } from '../support/cli.js';
import { gql, gqlData } from '../support/graphqlClient.js';
import { CREATE_PATTERN } from '../support/queries.js';
import { scratchDir, startServiceProcess } from '../support/serviceProcess.js';

const scratch = scratchDir();
afterAll(() => scratch.cleanup());

const rows = (path: string, upTo?: number) => {
  const db = new Database(path, { readonly: true });
  const all = db
    .prepare('SELECT * FROM events WHERE position <= ? ORDER BY position')
    .all(upTo ?? Number.MAX_SAFE_INTEGER) as { position: number }[];
  db.close();
  return all;
};

it('an online backup taken while writes go on equals the log event by event, and a restore serves it', async () => {
  const env = serviceEnv(scratch.sqlitePath);
  const service = await startServiceProcess(env);
  const backup = join(scratch.dir, 'backup.sqlite');
  let writing = true;
  let written = 0;
  const writer = (async () => {
    while (writing) {
      await gqlData(service.url, CREATE_PATTERN, {
        input: { name: `during backup ${written}`, type: 'BOUNCE', pattern: `during backup ${written}`, message: 'm' },
      });
      written += 1;
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const taken = await runCli(['backup', '--out', backup], { SQLITE_PATH: scratch.sqlitePath });
  // Writes go on after the backup too: the log moves past the copy.
  const atBackup = written;
  while (written < atBackup + 2) await new Promise((resolve) => setTimeout(resolve, 10));
  writing = false;
  await writer;
  expect(taken.code).toBe(0);
  const copied = rows(backup);
  expect(copied.length).toBeGreaterThan(0);
  expect(rows(scratch.sqlitePath, copied.at(-1)!.position)).toEqual(copied);
  expect(rows(scratch.sqlitePath).length).toBeGreaterThan(copied.length);
  await service.stop();

  // Restore: the service stopped, the copy put in the log's place (its -wal and -shm files removed).
  for (const suffix of ['-wal', '-shm']) rmSync(`${scratch.sqlitePath}${suffix}`, { force: true });
  copyFileSync(backup, scratch.sqlitePath);
  const restored = await startServiceProcess(env);
  try {
    const health = await fetch(restored.url.replace('/graphql', '/healthz'));
    expect(((await health.json()) as { checkpoint: string }).checkpoint).toBe(String(copied.at(-1)!.position));
    expect((await gql(restored.url, '{ bouncePatterns(first: 1) { totalCount } }')).status).toBe(200);
  } finally {
    await restored.stop();
  }
  expect(written).toBeGreaterThan(0);
});
