import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAIN_V2, chainHashV1 } from '../../src/eventstore/chain.js';
import { asAdmin, serviceEnv } from '../support/auth.js';
import { runCli } from '../support/cli.js';
import { gqlData } from '../support/graphqlClient.js';
import { CREATE_PATTERN } from '../support/queries.js';
import { type EventRow, hashedOf, tamperedCopy } from '../support/logFile.js';
import { scratchDir, startServiceProcess } from '../support/serviceProcess.js';

/* The hash chain alone (no signing key, no checkpoint file): what it catches about positions. */

const scratch = scratchDir();

async function createPattern(url: string, name: string): Promise<void> {
  await gqlData(url, CREATE_PATTERN, { input: { name, type: 'BOUNCE', pattern: name, message: 'm' } }, asAdmin);
}

const copied = (name: string, tamper: (db: Database.Database) => void) =>
  tamperedCopy(scratch.sqlitePath, join(scratch.dir, `${name}.sqlite`), tamper);

const verify = (path: string) => runCli(['verify'], { SQLITE_PATH: path });

beforeAll(async () => {
  const service = await startServiceProcess(serviceEnv(scratch.sqlitePath));
  for (const n of [1, 2, 3]) await createPattern(service.url, `positions ${n}`);
  // A clean stop leaves no -wal file: a copy of the file is the whole log.
  await service.stop();
});
afterAll(() => scratch.cleanup());

const head = (db: Database.Database) => db.prepare('SELECT MAX(position) FROM events').pluck().get() as number;

it('events renumbered with their hashes kept: verify exits 1 naming the first moved position', async () => {
  let moved = 0;
  const path = copied('renumbered', (db) => {
    moved = head(db) - 2;
    db.prepare('UPDATE events SET position = position + 1000 WHERE position >= ?').run(moved);
  });
  expect((await verify(scratch.sqlitePath)).code).toBe(0);
  const checked = await verify(path);
  expect(checked.code).toBe(1);
  expect(checked.stderr).toContain(`audit trail broken at position ${moved + 1000}`);
  expect(checked.stderr).toMatch(/renumbered/);
  expect(JSON.parse(checked.stdout)).toMatchObject({ ok: false, mismatches: 3 });
});

describe('a log written before positions were covered (hashes of the first form)', () => {
  /** Every hash recomputed in the first form, as the release before this one wrote them. */
  const firstForm = (db: Database.Database) => {
    let previous: string | null = null;
    for (const row of db.prepare('SELECT * FROM events ORDER BY position').all() as EventRow[]) {
      const hash = chainHashV1(previous, hashedOf(row));
      db.prepare('UPDATE events SET hash = ? WHERE position = ?').run(hash, row.position);
      previous = hash;
    }
  };
  let old = '';
  beforeAll(() => {
    old = copied('first-form', firstForm);
  });

  it('still verifies intact, and events appended to it from now on are of the second form and verify too', async () => {
    expect((await verify(old)).code).toBe(0);
    const service = await startServiceProcess(serviceEnv(old));
    await createPattern(service.url, 'appended after the upgrade');
    await createPattern(service.url, 'appended after the upgrade, again');
    await service.stop();
    const db = new Database(old, { readonly: true });
    const hashes = db.prepare('SELECT hash FROM events ORDER BY position').pluck().all() as string[];
    db.close();
    const firstV2 = hashes.findIndex((hash) => hash.startsWith(CHAIN_V2));
    expect(firstV2).toBeGreaterThan(0);
    expect(hashes.slice(firstV2).every((hash) => hash.startsWith(CHAIN_V2))).toBe(true);
    const checked = await verify(old);
    expect(checked.code).toBe(0);
    expect(checked.stderr).toMatch(/audit trail intact/);
  });

  it('an event of the second form downgraded to the first form after another is refused: exit 1 with its position', async () => {
    const path = join(scratch.dir, 'downgraded.sqlite');
    copyFileSync(old, path);
    const db = new Database(path);
    const [last, before] = db.prepare('SELECT * FROM events ORDER BY position DESC LIMIT 2').all() as EventRow[];
    expect(before!.hash.startsWith(CHAIN_V2)).toBe(true);
    // The first form leaves the position out, so the event could then be moved unseen.
    db.prepare('UPDATE events SET hash = ? WHERE position = ?').run(
      chainHashV1(before!.hash, hashedOf(last!)),
      last!.position,
    );
    db.close();
    const checked = await verify(path);
    expect(checked.code).toBe(1);
    expect(checked.stderr).toContain(`audit trail broken at position ${last!.position}`);
    expect(checked.stderr).toMatch(/downgraded/);
  });

  it('renumbering its first-form events is not seen by the chain alone: signed checkpoints are what catch it', async () => {
    const path = copied('first-form-renumbered', (db) => {
      firstForm(db);
      db.prepare('UPDATE events SET position = position + 1000 WHERE position >= ?').run(head(db) - 2);
    });
    expect((await verify(path)).code).toBe(0);
  });
});
