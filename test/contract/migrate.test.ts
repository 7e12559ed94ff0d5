import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_SCHEMA_VERSION, type EventMetadata } from '../../src/domain/events.js';
import { migrateLog, verifyCopy } from '../../src/eventstore/migrate.js';
import type { EventToAppend } from '../../src/eventstore/port.js';
import { SqliteEventStore } from '../../src/eventstore/sqlite.js';
import { postgresSchemas, postgresSkipReason } from '../support/postgres.js';

const EVENTS = 10_000;
const STREAMS = 500;

/**
 * A log shaped like the service's: every pattern is created, then edited at random; some commands
 * write two events at once. Returns the number of events written.
 */
async function writeLog(store: SqliteEventStore): Promise<number> {
  const versions = new Array<number>(STREAMS).fill(0);
  let written = 0;
  let seed = 42;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const start = Date.parse('2024-01-01T00:00:00Z');
  while (written < EVENTS) {
    const pattern = written < STREAMS ? written : Math.floor(random() * STREAMS);
    const commandId = randomUUID();
    const metadata: EventMetadata = {
      actor: { id: `user-${pattern % 7}`, name: `Admin ${pattern % 7}`, kind: 'user' },
      occurredAt: new Date(start + written * 1_000).toISOString(),
      commandId,
      commandHash: null,
      correlationId: commandId,
      causationId: null,
      reason: written % 3 === 0 ? `ticket #${written}` : null,
      schemaVersion: EVENT_SCHEMA_VERSION,
    };
    const patternId = `p${pattern}`;
    const events: EventToAppend[] =
      versions[pattern] === 0
        ? [
            {
              eventId: randomUUID(),
              type: 'BouncePatternCreated',
              metadata,
              data: {
                patternId,
                origin: 'CUSTOM',
                name: `rule ${pattern}`,
                type: 'HARD_BOUNCE',
                ispId: null,
                pattern: '5\\.1\\.1',
                message: 'User unknown',
                priority: pattern,
                enabled: true,
              },
            },
          ]
        : Array.from({ length: random() < 0.1 && written + 2 <= EVENTS ? 2 : 1 }, (_, i) => ({
            eventId: randomUUID(),
            type: 'BouncePatternEdited',
            metadata,
            data: { patternId, changes: { priority: written + i }, previous: { priority: written + i - 1 } },
          }));
    await store.append(`bouncePattern-${patternId}`, events, versions[pattern]!);
    versions[pattern]! += events.length;
    written += events.length;
  }
  return written;
}

describe('migrateLog', () => {
  const schemas = postgresSchemas();
  let dir: string;
  const stores: SqliteEventStore[] = [];
  const open = (name: string) => {
    // As `cli migrate` opens its target: a bulk copy, checked whole at the end, needs no checkpoint per append.
    const store = new SqliteEventStore(join(dir, `${name}.sqlite`), { checkpointEachAppend: false });
    stores.push(store);
    return store;
  };
  let source: SqliteEventStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bounce-patterns-migrate-'));
    source = open('source');
    expect(await writeLog(source)).toBe(EVENTS);
  }, 120_000);
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
    rmSync(dir, { recursive: true, force: true });
  });

  it(`copies ${EVENTS} events across ${STREAMS} streams exactly, and back again`, async () => {
    const copy = open('copy');
    let started = performance.now();
    expect(await migrateLog(source, copy)).toMatchObject({ read: EVENTS, copied: EVENTS });
    const there = performance.now() - started;
    expect(await verifyCopy(source, copy)).toBeNull();

    const back = open('back');
    started = performance.now();
    await migrateLog(copy, back);
    const andBack = performance.now() - started;
    expect(await verifyCopy(copy, back)).toBeNull();
    expect(await verifyCopy(source, back)).toBeNull();
    console.log(
      `migrateLog: ${EVENTS} events SQLite→SQLite in ${there.toFixed(0)} ms, and back in ${andBack.toFixed(0)} ms`,
    );
  }, 120_000);

  (postgresSkipReason ? it.skip : it)(
    postgresSkipReason ?? `copies ${EVENTS} events SQLite → PostgreSQL → SQLite exactly, with the same hash chain`,
    async () => {
      const pg = await schemas.open();
      try {
        let started = performance.now();
        expect(await migrateLog(source, pg)).toMatchObject({ read: EVENTS, copied: EVENTS });
        const there = performance.now() - started;
        expect(await verifyCopy(source, pg)).toBeNull();
        // Same events in the same order: PostgreSQL computes the very hashes SQLite stored.
        const hashes = async (store: { readAll(): AsyncIterable<{ hash: string | null }> }) => {
          const all: (string | null)[] = [];
          for await (const event of store.readAll()) all.push(event.hash);
          return all;
        };
        expect(await hashes(pg)).toEqual(await hashes(source));

        const back = open('from-postgres');
        started = performance.now();
        await migrateLog(pg, back);
        expect(await verifyCopy(source, back)).toBeNull();
        console.log(
          `migrateLog: ${EVENTS} events SQLite→PostgreSQL in ${there.toFixed(0)} ms, back in ${(performance.now() - started).toFixed(0)} ms`,
        );
      } finally {
        await pg.close();
      }
    },
    120_000,
  );

  it('resumes an interrupted copy without duplicating or losing events', async () => {
    const target = open('interrupted');
    const stopAfter = 3_333;
    const interrupted = migrateLog(source, target, {
      onProgress: ({ copied }) => {
        if (copied === stopAfter) throw new Error('interrupted');
      },
    });
    await expect(interrupted).rejects.toThrow('interrupted');
    expect(await verifyCopy(source, target)).toMatchObject({ index: stopAfter, field: 'missing in target' });

    const started = performance.now();
    const resumed = await migrateLog(source, target, { resumeBlockSize: 500 });
    console.log(
      `migrateLog: resumed after ${stopAfter} events, finished in ${(performance.now() - started).toFixed(0)} ms`,
    );
    // Only the block where the copy stopped is offered again; the rest is skipped.
    expect(resumed.copied).toBeGreaterThanOrEqual(EVENTS - stopAfter);
    expect(resumed.copied).toBeLessThanOrEqual(EVENTS - stopAfter + 500);
    expect(await verifyCopy(source, target)).toBeNull();

    // A rerun on a complete copy writes nothing.
    expect(await migrateLog(source, target)).toMatchObject({ read: EVENTS, copied: 0 });
  }, 120_000);

  it('reports the first difference between two logs', async () => {
    const other = open('other');
    const [first] = await source.readStream('bouncePattern-p0');
    await other.append(first!.streamId, [{ ...first!, metadata: { ...first!.metadata, reason: 'edited' } }], 0);
    expect(await verifyCopy(source, other)).toMatchObject({ index: 0, field: 'metadata' });
  });
});
