import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainHash } from '../../src/eventstore/chain.js';
import { serviceEnv } from '../support/auth.js';
import { runCli } from '../support/cli.js';
import { gql, gqlData } from '../support/graphqlClient.js';
import { CREATE_PATTERN } from '../support/queries.js';
import { type EventRow, hashedOf, tamperedCopy } from '../support/logFile.js';
import { scratchDir, startServiceProcess } from '../support/serviceProcess.js';

const scratch = scratchDir();
const keys = scratchDir();
const privateKeyFile = join(keys.dir, 'audit.key');
const publicKeyFile = join(keys.dir, 'audit.pub');
const checkpointFile = join(keys.dir, 'checkpoints.jsonl');
const sealEnv = (sqlitePath: string) =>
  serviceEnv(sqlitePath, {
    AUDIT_SIGNING_KEY_FILE: privateKeyFile,
    AUDIT_CHECKPOINT_FILE: checkpointFile,
    AUDIT_CHECKPOINT_EVERY_MS: '200',
  });

beforeAll(async () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  const service = await startServiceProcess(sealEnv(scratch.sqlitePath));
  for (let i = 0; i < 3; i++)
    await gqlData(service.url, CREATE_PATTERN, {
      input: { name: `sealed ${i}`, type: 'BOUNCE', pattern: `sealed ${i}`, message: 'm' },
    });
  // A clean stop signs the head and leaves no -wal file: copies of the file are the whole log.
  await service.stop();
});
afterAll(() => {
  scratch.cleanup();
  keys.cleanup();
});

/** A copy of the sealed log, changed by `tamper` with direct access to the file (no key). */
const tampered = (name: string, tamper: (db: Database.Database) => void) =>
  tamperedCopy(scratch.sqlitePath, join(scratch.dir, `${name}.sqlite`), tamper);

/** Recomputes every hash of the file, as someone who knows the (public) chain rule would after a change. */
function rehash(db: Database.Database): void {
  let previous: string | null = null;
  for (const row of db.prepare('SELECT * FROM events ORDER BY position').all() as EventRow[]) {
    const hash = chainHash(previous, { ...hashedOf(row), position: BigInt(row.position) });
    db.prepare('UPDATE events SET hash = ? WHERE position = ?').run(hash, row.position);
    previous = hash;
  }
}

const CASES: Record<string, (db: Database.Database) => void> = {
  'the last event deleted': (db) =>
    db.prepare('DELETE FROM events WHERE position = (SELECT MAX(position) FROM events)').run(),
  'an event changed and every later hash recomputed': (db) => {
    db.prepare(
      "UPDATE events SET data = json_set(data, '$.type', 'HARD_BOUNCE') WHERE type = 'BouncePatternCreated' AND position = (SELECT MAX(position) FROM events WHERE type = 'BouncePatternCreated')",
    ).run();
    rehash(db);
  },
  'an event removed, positions renumbered and the chain recomputed': (db) => {
    const middle = (db.prepare('SELECT MAX(position) / 2 AS p FROM events').get() as { p: number }).p;
    db.prepare('DELETE FROM events WHERE position = ?').run(middle);
    db.prepare('UPDATE events SET position = position - 1 WHERE position > ?').run(middle);
    rehash(db);
  },
  'a forged ApiTokenCreated appended with a correct hash': (db) => {
    const last = db.prepare('SELECT position, hash FROM events ORDER BY position DESC LIMIT 1').get() as {
      position: number;
      hash: string;
    };
    const metadata = {
      actor: { id: 'system', name: 'system', kind: 'system' as const },
      occurredAt: new Date().toISOString(),
      commandId: 'forged',
      commandHash: null,
      correlationId: 'forged',
      causationId: null,
      reason: null,
      schemaVersion: 2,
    };
    const data = { tokenId: 'forged', name: 'forged admin', role: 'admin', secretHash: 'f'.repeat(64) };
    const event = {
      position: BigInt(last.position + 1),
      eventId: 'forged',
      streamId: 'apiToken-forged',
      version: 1,
      type: 'ApiTokenCreated',
      data,
      metadata,
    };
    db.prepare(
      'INSERT INTO events (event_id, stream_id, version, type, data, metadata, hash) VALUES (?, ?, 1, ?, ?, ?, ?)',
    ).run(
      'forged',
      'apiToken-forged',
      'ApiTokenCreated',
      JSON.stringify(data),
      JSON.stringify(metadata),
      chainHash(last.hash, event),
    );
  },
};

describe('signed checkpoints catch what the hash chain alone does not (the key is never in the log)', () => {
  it('verify with the checkpoints passes on the untouched log', async () => {
    const intact = await runCli(['verify', '--checkpoints', checkpointFile, '--public-key', publicKeyFile], {
      SQLITE_PATH: scratch.sqlitePath,
    });
    expect(intact.code).toBe(0);
  });

  for (const [name, tamper] of Object.entries(CASES))
    it(`${name}: detected by verify (exit 1, with the position) and the service refuses to start`, async () => {
      const path = tampered(name.replaceAll(' ', '-'), tamper);
      const checked = await runCli(['verify', '--checkpoints', checkpointFile, '--public-key', publicKeyFile], {
        SQLITE_PATH: path,
      });
      expect(checked.code).toBe(1);
      expect(checked.stderr).toMatch(/audit trail broken at position \d+/);
      await expect(startServiceProcess(sealEnv(path))).rejects.toThrow(
        /cannot start: audit trail broken at position \d+/,
      );
    });

  it('with AUDIT_ON_TAMPER=read-only a forged token is served with the alarm, nothing written or signed', async () => {
    const path = tampered('forged-read-only', CASES['a forged ApiTokenCreated appended with a correct hash']!);
    const signed = readFileSync(checkpointFile, 'utf8');
    const service = await startServiceProcess({ ...sealEnv(path), AUDIT_ON_TAMPER: 'read-only' });
    try {
      expect(service.output()).toMatch(/ALARM: audit trail broken at position \d+ \(apiToken-forged\): .*signature/);
      const refused = await gql(service.url, CREATE_PATTERN, {
        input: { name: 'refused', type: 'BOUNCE', pattern: 'refused', message: 'm' },
      });
      expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['AUDIT_TRAIL_BROKEN']);
    } finally {
      await service.stop();
    }
    expect(readFileSync(checkpointFile, 'utf8')).toBe(signed);
  });

  it('the chain alone is fooled by a recomputed chain, which is why the checkpoints are kept outside the log', async () => {
    const path = tampered('rehashed-only', CASES['an event changed and every later hash recomputed']!);
    expect((await runCli(['verify'], { SQLITE_PATH: path })).code).toBe(0);
  });
});

it('an existing log is sealed only when asked (AUDIT_CHECKPOINT_INIT), and then starts like any other', async () => {
  const unsealed = scratchDir();
  try {
    await (await startServiceProcess(serviceEnv(unsealed.sqlitePath))).stop();
    const env = { ...sealEnv(unsealed.sqlitePath), AUDIT_CHECKPOINT_FILE: join(unsealed.dir, 'checkpoints.jsonl') };
    await expect(startServiceProcess(env)).rejects.toThrow(/holds no signed checkpoints \(removed\?\)/);
    await (await startServiceProcess({ ...env, AUDIT_CHECKPOINT_INIT: 'true' })).stop();
    const again = await startServiceProcess(env);
    expect(again.output()).toMatch(/audit trail verified against [1-9]\d* signed checkpoints/);
    await again.stop();
  } finally {
    unsealed.cleanup();
  }
});
