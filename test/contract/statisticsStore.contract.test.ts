import { randomBytes, randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LOG_STREAM_PREFIXES } from '../../src/domain/streams.js';
import {
  decodeEventData,
  EventStoreDbStatisticsStore,
  openEventStoreDbStatistics,
  STATISTICS_STREAM_PREFIX,
} from '../../src/statistics/eventstoredb.js';
import { MemoryStatisticsStore } from '../../src/statistics/memory.js';
import { BUCKET, type HitCount, type StatisticsStore, type UnmatchedGroup } from '../../src/statistics/port.js';
import { PostgresStatisticsStore } from '../../src/statistics/postgres.js';
import { SqliteStatisticsStore } from '../../src/statistics/sqlite.js';
import { postgresSchemas, postgresSkipReason, postgresUrl } from '../support/postgres.js';
import { sampledReply } from '../support/sampledReply.js';
import { MAX_APPEND_BYTES, ScriptedEventStoreDb } from '../support/scriptedEventStoreDb.js';
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
const esdbUrl = process.env.EVENTSTORE_CONNECTION_STRING;
// Never a silent pass: without a server the real EventStoreDB runs are skipped, saying why.
const esdbSkipReason = 'statistics on EventStoreDB: skipped — set EVENTSTORE_CONNECTION_STRING to run';
if (!esdbUrl) console.warn(esdbSkipReason);
const testPrefix = () => `${STATISTICS_STREAM_PREFIX}test-${randomUUID()}-`;
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
  'eventstoredb (scripted server)': async () =>
    new EventStoreDbStatisticsStore(new ScriptedEventStoreDb().client(), { retentionDays: 30 }),
  // A prefix per store: tests sharing the server never meet.
  ...(esdbUrl && {
    eventstoredb: async () => openEventStoreDbStatistics(esdbUrl, { retentionDays: 30, prefix: testPrefix() }),
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

/** Replicas of the service sharing one EventStoreDB: scripted always, a real server when one is named. */
const ESDB_SERVERS: Record<string, () => (options?: { clock?: () => number }) => EventStoreDbStatisticsStore> = {
  'scripted server': () => {
    const server = new ScriptedEventStoreDb();
    return () => new EventStoreDbStatisticsStore(server.client(), { retentionDays: 30 });
  },
  ...(esdbUrl && {
    server: () => {
      const prefix = testPrefix();
      return () => openEventStoreDbStatistics(esdbUrl, { retentionDays: 30, prefix });
    },
  }),
};

/** Sampled templates in a big flush: random text that deflates little, so that snapshots come soon. */
const ROWS = 4_000;
/** A flush of ROWS distinct sampled templates of about 250 bytes each, and one hit per template. */
const bigFlush = (flush: number) => ({
  hits: [hit({ count: ROWS })],
  unmatched: [],
  sample: Array.from({ length: ROWS }, (_, i) =>
    sampled(`${flush}-${i} ${randomBytes(150).toString('base64')}`, DAY0 + flush),
  ),
});

if (!esdbUrl)
  describe.skip(esdbSkipReason, () => {
    it('runs the contract, replicas and restart on a real server', () => {});
  });

for (const [name, makeServer] of Object.entries(ESDB_SERVERS)) {
  describe(`statistics on EventStoreDB (${name})`, () => {
    it('two replicas on one server add up; each sees the other’s flush at its next query', async () => {
      const replica = makeServer();
      const [a, b] = [replica(), replica()];
      await a.add({ hits: [hit({ count: 2 })], unmatched: [group({})], sample: [sampled('a', DAY0)] });
      await b.add({ hits: [hit({ count: 5 })], unmatched: [group({ count: 4 })], sample: [sampled('a', DAY0 + 1)] });
      for (const store of [a, b]) {
        expect(await store.hits({ by: ['patternId'] })).toEqual([
          { patternId: 'p1', count: 7, lastAt: DAY0 + 10 * BUCKET.hour + 5 },
        ]);
        expect((await store.unmatched({ limit: 10 })).map((g) => g.count)).toEqual([5]);
        expect(await store.sample(10)).toEqual([{ ...sampled('a', DAY0 + 1), count: 2 }]);
      }
      await Promise.all([a.close(), b.close()]);
    });

    it('a replica that fell behind another’s snapshot and truncation reads its counts anew, none twice', async () => {
      const replica = makeServer();
      const [writer, reader] = [replica(), replica()];
      await writer.add(bigFlush(0));
      expect(await reader.hits({ by: [] })).toEqual([expect.objectContaining({ count: ROWS })]);
      // Flushes, a snapshot and a truncation past where the reader stopped.
      for (let flush = 1; flush < 6; flush++) await writer.add(bigFlush(flush));
      await reader.add({ hits: [hit({ count: 1 })], unmatched: [], sample: [] });
      expect(await reader.hits({ by: [] })).toEqual([expect.objectContaining({ count: 6 * ROWS + 1 })]);
      expect(await reader.sample(10 * ROWS)).toHaveLength(6 * ROWS);
      await Promise.all([writer.close(), reader.close()]);
    });

    it('a replica started later reads every flush back, from the last snapshot on', async () => {
      const replica = makeServer();
      const first = replica();
      // ~0.6 MB a flush, deflated: the third flush writes a snapshot, the fifth another.
      for (let flush = 0; flush < 6; flush++) await first.add(bigFlush(flush));
      await first.close();
      const later = replica();
      expect(await later.hits({ by: ['patternId'] })).toEqual([
        { patternId: 'p1', count: 6 * ROWS, lastAt: DAY0 + 10 * BUCKET.hour + 5 },
      ]);
      const sample = await later.sample(10 * ROWS);
      expect(sample).toHaveLength(6 * ROWS);
      expect(sample[0]!.template).toMatch(/^5-/);
      await later.close();
    });
  });
}

describe('statistics on EventStoreDB: streams, snapshots and retention (scripted server)', () => {
  it('splits a snapshot under the append limit and truncates the stream before it', async () => {
    const server = new ScriptedEventStoreDb();
    const store = new EventStoreDbStatisticsStore(server.client(), { retentionDays: 30 });
    for (let flush = 0; flush < 6; flush++) await store.add(bigFlush(flush));
    const stored = server.streams.get(store.stream)!.events;
    const events = stored.map((e) => ({ ...e, data: decodeEventData(e.data) }));
    const marker = events.findLast((e) => e.type === 'StatisticsSnapshotted')!;
    const snapshot = (marker.data as { snapshot: string }).snapshot;
    const parts = events.filter((e) => (e.data as { snapshot?: string }).snapshot === snapshot && e !== marker);
    // Every template flushed before the marker: more than one part, each under the limit (the server refuses more).
    expect(parts.length).toBeGreaterThan(1);
    const flushedBefore = events.slice(0, events.indexOf(marker)).filter((e) => e.type === 'StatisticsFlushed');
    expect(parts.flatMap((e) => (e.data as { sample: unknown[] }).sample)).toHaveLength(ROWS * flushedBefore.length);
    for (const part of parts)
      expect((stored[Number(part.revision)]!.data as Uint8Array).byteLength).toBeLessThan(MAX_APPEND_BYTES);
    // What came before the snapshot is truncated: a start reads the parts, the marker and the flushes after.
    const visible = server.visible(store.stream)!;
    expect(visible[0]!.revision).toBe(parts[0]!.revision);
    expect(visible.map((e) => e.type)).toEqual([
      ...parts.map(() => 'StatisticsSnapshotPart'),
      'StatisticsSnapshotted',
      ...events.slice(events.indexOf(marker) + 1).map(() => 'StatisticsFlushed'),
    ]);
    await store.close();
  });

  it('keeps streams for the retention ($maxAge): a replica started after it reads nothing of them', async () => {
    let now = DAY0;
    const server = new ScriptedEventStoreDb(() => now);
    const old = new EventStoreDbStatisticsStore(server.client(), { retentionDays: 30, clock: () => now });
    await old.add({ hits: [hit({})], unmatched: [group({})], sample: [sampled('a', DAY0)] });
    for (const state of server.streams.values()) expect(state.metadata.maxAge).toBe(30 * 86_400);
    now += 29 * BUCKET.day;
    const within = new EventStoreDbStatisticsStore(server.client(), { retentionDays: 30, clock: () => now });
    expect(await within.hits({ by: [] })).toEqual([expect.objectContaining({ count: 1 })]);
    now += 2 * BUCKET.day;
    const after = new EventStoreDbStatisticsStore(server.client(), { retentionDays: 30, clock: () => now });
    expect(await after.hits({ by: [] })).toEqual([]);
    expect(await after.unmatched({ limit: 10 })).toEqual([]);
    expect(await after.sample(10)).toEqual([]);
  });

  it('writes only streams outside the rules’ prefixes (projections, audit trail and hash chain skip them)', async () => {
    const server = new ScriptedEventStoreDb();
    const store = new EventStoreDbStatisticsStore(server.client(), { retentionDays: 30 });
    await store.add({ hits: [hit({})], unmatched: [group({})], sample: [sampled('a', DAY0)] });
    expect(server.streams.size).toBe(2);
    for (const stream of server.streams.keys()) {
      expect(stream.startsWith(STATISTICS_STREAM_PREFIX)).toBe(true);
      expect(LOG_STREAM_PREFIXES.some((prefix) => stream.startsWith(prefix))).toBe(false);
    }
  });
});
