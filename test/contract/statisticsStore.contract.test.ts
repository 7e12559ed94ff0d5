import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStatisticsStore } from '../../src/statistics/memory.js';
import { BUCKET, type HitCount, type StatisticsStore, type UnmatchedGroup } from '../../src/statistics/port.js';
import { PostgresStatisticsStore } from '../../src/statistics/postgres.js';
import { SqliteStatisticsStore } from '../../src/statistics/sqlite.js';
import { postgresSchemas, postgresSkipReason, postgresUrl } from '../support/postgres.js';
import { sampledReply } from '../support/sampledReply.js';
import { scratchDir } from '../support/serviceProcess.js';

const DAY0 = Date.UTC(2026, 10, 1);
const hit = (fields: Partial<HitCount>): HitCount => ({
  start: DAY0 + 10 * BUCKET.hour,
  span: 'hour',
  patternId: 'p1',
  type: 'HARD_BOUNCE',
  matchedBy: 'PATTERN',
  ispId: 'gmail',
  count: 1,
  lastAt: DAY0 + 10 * BUCKET.hour + 5,
  ...fields,
});
const group = (fields: Partial<UnmatchedGroup>): UnmatchedGroup => ({
  key: 'g1',
  template: '421 4.7.0 {host} throttled',
  example: '421 4.7.0 mx.example.net throttled',
  ispId: null,
  type: 'SOFT_BOUNCE',
  matchedBy: 'REPLY_CODE',
  count: 1,
  firstSeenAt: DAY0,
  lastSeenAt: DAY0,
  ...fields,
});
const sampled = sampledReply;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

const schemas = postgresSchemas();
const STORES: Record<string, () => Promise<StatisticsStore>> = {
  memory: async () => new MemoryStatisticsStore(),
  sqlite: async () => {
    const dir = scratchDir();
    cleanups.push(dir.cleanup);
    return new SqliteStatisticsStore(dir.sqlitePath);
  },
  // Skipped, saying why (test/support/postgres.ts), when no server answers.
  ...(postgresSkipReason === null && {
    postgres: () => PostgresStatisticsStore.open(postgresUrl, { schema: schemas.name() }),
  }),
};

for (const [name, open] of Object.entries(STORES)) {
  describe(`statistics store contract: ${name}`, () => {
    it('adds counts up, keeps the latest hit, and groups by the dimensions asked for', async () => {
      const store = await open();
      await store.add({
        hits: [hit({}), hit({ ispId: null, patternId: null, matchedBy: 'NONE', type: 'BOUNCE' })],
        unmatched: [],
        sample: [],
      });
      await store.add({ hits: [hit({ count: 2, lastAt: DAY0 + 10 * BUCKET.hour + 9 })], unmatched: [], sample: [] });
      expect(await store.hits({ by: ['patternId'] })).toEqual(
        expect.arrayContaining([
          { patternId: 'p1', count: 3, lastAt: DAY0 + 10 * BUCKET.hour + 9 },
          { patternId: null, count: 1, lastAt: DAY0 + 10 * BUCKET.hour + 5 },
        ]),
      );
      expect(await store.hits({ by: [] })).toEqual([{ count: 4, lastAt: DAY0 + 10 * BUCKET.hour + 9 }]);
      expect(await store.hits({ by: ['bucket'], patternId: 'p1' })).toEqual([
        { start: DAY0 + 10 * BUCKET.hour, span: 'hour', count: 3, lastAt: DAY0 + 10 * BUCKET.hour + 9 },
      ]);
      expect(await store.hits({ by: ['ispId', 'type'], since: DAY0 + 11 * BUCKET.hour })).toEqual([]);
      await store.close();
    });

    it('rolls hours into days, drops what is older than the retention, and bounds the sample by recency', async () => {
      const store = await open();
      await store.add({
        hits: [
          hit({ start: DAY0 + BUCKET.hour }),
          hit({ start: DAY0 + 2 * BUCKET.hour }),
          hit({ start: DAY0 + 3 * BUCKET.day }),
        ],
        unmatched: [group({ key: 'old', lastSeenAt: DAY0 }), group({ key: 'new', lastSeenAt: DAY0 + 3 * BUCKET.day })],
        sample: [sampled('a', DAY0 + 1), sampled('b', DAY0 + 3), sampled('c', DAY0 + 2)],
      });
      await store.prune({ hourlyUntil: DAY0 + BUCKET.day, dropBefore: 0, sampleCapacity: 2 });
      expect(await store.hits({ by: ['bucket'] })).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ start: DAY0, span: 'day', count: 2 }),
          expect.objectContaining({ start: DAY0 + 3 * BUCKET.day, span: 'hour', count: 1 }),
        ]),
      );
      expect((await store.sample(10)).map((s) => s.key)).toEqual(['b', 'c']);
      await store.prune({ hourlyUntil: DAY0, dropBefore: DAY0 + BUCKET.day, sampleCapacity: 2 });
      expect(await store.hits({ by: ['bucket'] })).toEqual([expect.objectContaining({ start: DAY0 + 3 * BUCKET.day })]);
      expect((await store.unmatched({ limit: 10 })).map((g) => g.key)).toEqual(['new']);
      expect(await store.sample(10)).toEqual([]);
      await store.close();
    });

    it('merges unmatched groups and filters them', async () => {
      const store = await open();
      await store.add({
        hits: [],
        unmatched: [group({}), group({ key: 'g2', ispId: 'gmail', type: 'BOUNCE', count: 5 })],
        sample: [],
      });
      await store.add({
        hits: [],
        unmatched: [group({ count: 2, firstSeenAt: DAY0 - 1, lastSeenAt: DAY0 + 7 })],
        sample: [],
      });
      const all = await store.unmatched({ limit: 10 });
      expect(all.map((g) => [g.key, g.count])).toEqual([
        ['g2', 5],
        ['g1', 3],
      ]);
      expect(all[1]).toMatchObject({ firstSeenAt: DAY0 - 1, lastSeenAt: DAY0 + 7, ispId: null });
      expect((await store.unmatched({ ispId: 'gmail', limit: 10 })).map((g) => g.key)).toEqual(['g2']);
      expect(
        (await store.unmatched({ type: 'SOFT_BOUNCE', search: 'THROTTLED', limit: 10 })).map((g) => g.key),
      ).toEqual(['g1']);
      expect(await store.unmatched({ seenSince: DAY0 + 8, limit: 10 })).toEqual([]);
      await store.close();
    });
  });
}
