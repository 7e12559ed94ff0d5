import { rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import { serviceEnv } from '../support/auth.js';
import { scratchDir, startServiceProcess } from '../support/serviceProcess.js';

const scratch = scratchDir();
afterAll(() => scratch.cleanup());

it('refuses to start on a file that held a log and was emptied, instead of starting a fresh log', async () => {
  const env = serviceEnv(scratch.sqlitePath);
  await (await startServiceProcess(env)).stop();
  for (const suffix of ['-wal', '-shm']) rmSync(`${scratch.sqlitePath}${suffix}`, { force: true });
  truncateSync(scratch.sqlitePath, 0);
  await expect(startServiceProcess(env)).rejects.toThrow(
    /cannot start: .*held an event log but now holds no events \(emptied or replaced\)/,
  );
  // Nothing was seeded into the emptied file.
  const db = new Database(scratch.sqlitePath, { readonly: true });
  expect(db.prepare('SELECT COUNT(*) AS n FROM events').get()).toEqual({ n: 0 });
  db.close();
});

it('refuses to turn another program’s SQLite database into an event log', async () => {
  const path = join(scratch.dir, 'other.sqlite');
  const other = new Database(path);
  other.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)');
  other.close();
  await expect(startServiceProcess(serviceEnv(path))).rejects.toThrow(
    /cannot start: .*other\.sqlite is not an event log: it holds other tables \(customers\)/,
  );
});
