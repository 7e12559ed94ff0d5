import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/eventstore/sqlite.js';
import { PostgresEventStore } from '../../src/eventstore/postgres.js';
import { decodeEventData, EventStoreDbStatisticsStore } from '../../src/statistics/eventstoredb.js';
import { PostgresStatisticsStore } from '../../src/statistics/postgres.js';
import { SqliteStatisticsStore } from '../../src/statistics/sqlite.js';
import { postgresSchemas, postgresSkipReason, postgresUrl } from '../support/postgres.js';
import { inProcessApi, type ApiAnswer } from '../support/apiSpecification.js';
import { CREATE_PATTERN } from '../support/queries.js';
import { ScriptedEventStoreDb } from '../support/scriptedEventStoreDb.js';
import { scratchDir } from '../support/serviceProcess.js';

type Api = Awaited<ReturnType<typeof inProcessApi>>;
type Send = (source: string, variables?: Record<string, unknown>) => Promise<ApiAnswer>;

const CLASSIFY = `query($reply: String!, $to: String) { classify(reply: $reply, recipient: $to) { type matchedBy rulesetVersion pattern { id } } }`;
const BATCH = `query($items: [ClassifyInput!]!) { classifyBatch(items: $items) { type } }`;
const HITS = `query($id: ID!) { bouncePattern(id: $id) { hits { total lastHitAt hourly { start count } daily { start count } } } }`;
const TOTALS = `{ hitTotals { byVerdict { type matchedBy count } byIsp { ispId type count } } }`;
const UNMATCHED = `query($filter: UnmatchedReplyFilter) { unmatchedReplies(filter: $filter, first: 10) {
  totalCount edges { node { key template example ispId type matchedBy count firstSeenAt lastSeenAt suggestedPattern } } } }`;
const PREVIEW = `query($changes: [RuleChangeInput!]!) { previewRuleChange(changes: $changes) {
  sampledTemplates sampledOccurrences movedOccurrences rulesetVersion
  moves { from { type matchedBy patternId } to { type matchedBy patternId patternName } templates occurrences examples } } }`;

const USER_UNKNOWN = (user: string) => `550 5.1.1 <${user}@example.com>: Recipient address rejected: user unknown`;
const MAILBOX_FULL = (user: string) =>
  `452 4.2.2 mailbox of ${user}@example.org is full, queue id Q${user.length}X81234AB`;
const UNMATCHED_REPLY = (host: string, ip: string) =>
  `421 4.7.0 ${host} [${ip}] connection throttled, come back in 30 s`;

let api: Api | undefined;
const schemas = postgresSchemas();
const scratch: { cleanup: () => void }[] = [];
afterEach(async () => {
  await api?.stop();
  api = undefined;
  for (const dir of scratch.splice(0)) dir.cleanup();
});

async function createPattern(admin: Send, name: string, pattern: string, type = 'HARD_BOUNCE'): Promise<string> {
  const answer = await admin(CREATE_PATTERN, { input: { name, type, pattern, message: name } });
  expect(answer.errors).toBeUndefined();
  return answer.data.createBouncePattern.pattern.id;
}

/** An app over a real SQLite file, its statistics in the same file; flushes only when asked. */
async function onFile(sqlitePath: string) {
  return inProcessApi({
    store: new SqliteEventStore(sqlitePath),
    statisticsStore: new SqliteStatisticsStore(sqlitePath),
    statistics: { flushIntervalMs: 3_600_000 },
  });
}

describe('hit statistics', () => {
  it('count every reply of classify and classifyBatch, per pattern, per verdict and per ISP', async () => {
    api = await inProcessApi();
    const admin = await api.as('admin');
    const unknown = await createPattern(admin, 'user unknown', 'user unknown');
    const full = await createPattern(admin, 'mailbox full', 'mailbox .* is full', 'SOFT_BOUNCE');
    await admin(CLASSIFY, { reply: USER_UNKNOWN('a') });
    await admin(CLASSIFY, { reply: USER_UNKNOWN('b') });
    await admin(BATCH, {
      items: [
        { reply: USER_UNKNOWN('c') },
        { reply: MAILBOX_FULL('d') },
        { reply: UNMATCHED_REPLY('mx.example.net', '192.0.2.1') },
      ],
    });
    // This replica's counts show before any flush; other replicas' after theirs.
    expect((await admin(HITS, { id: unknown })).data.bouncePattern.hits.total).toBe(3);
    await api.app.statistics.flush();
    const hits = (await admin(HITS, { id: unknown })).data.bouncePattern.hits;
    expect(hits.total).toBe(3);
    expect(hits.hourly).toHaveLength(1);
    expect(hits.hourly[0].count).toBe(3);
    expect(hits.daily[0].count).toBe(3);
    expect(Date.parse(hits.lastHitAt)).toBeGreaterThan(Date.now() - 60_000);
    expect((await admin(HITS, { id: full })).data.bouncePattern.hits.total).toBe(1);
    const totals = (await admin(TOTALS)).data.hitTotals;
    expect(totals.byVerdict).toEqual(
      expect.arrayContaining([
        { type: 'HARD_BOUNCE', matchedBy: 'PATTERN', count: 3 },
        { type: 'SOFT_BOUNCE', matchedBy: 'PATTERN', count: 1 },
        { type: 'SOFT_BOUNCE', matchedBy: 'REPLY_CODE', count: 1 },
      ]),
    );
    expect(totals.byVerdict).toHaveLength(3);
  });

  it('are not rule changes: no event, no audit entry, the same rulesetVersion', async () => {
    api = await inProcessApi();
    const admin = await api.as('admin');
    await createPattern(admin, 'user unknown', 'user unknown');
    const AUDIT = '{ auditLog(first: 50) { totalCount edges { node { eventType } } } }';
    const trailBefore = (await admin(AUDIT)).data.auditLog;
    const head = await api.store.headPosition();
    const before = (await admin(CLASSIFY, { reply: USER_UNKNOWN('a') })).data.classify.rulesetVersion;
    await api.app.statistics.flush();
    const after = (await admin(CLASSIFY, { reply: USER_UNKNOWN('a') })).data.classify.rulesetVersion;
    expect(after).toBe(before);
    expect(await api.store.headPosition()).toBe(head);
    expect((await admin(AUDIT)).data.auditLog).toEqual(trailBefore);
  });

  it('sort and filter the pattern list: most hit first, never hit since a moment', async () => {
    api = await inProcessApi();
    const admin = await api.as('admin');
    const once = await createPattern(admin, 'once', 'mailbox .* is full', 'SOFT_BOUNCE');
    const often = await createPattern(admin, 'often', 'user unknown');
    const never = await createPattern(admin, 'never', 'no such domain');
    await admin(CLASSIFY, { reply: MAILBOX_FULL('x') });
    for (const user of ['a', 'b', 'c']) await admin(CLASSIFY, { reply: USER_UNKNOWN(user) });
    const list = `query($filter: BouncePatternFilter, $orderBy: BouncePatternOrder) {
      bouncePatterns(filter: $filter, orderBy: $orderBy) { edges { node { id hits { total } } } } }`;
    const ids = async (variables: Record<string, unknown>) =>
      (await admin(list, variables)).data.bouncePatterns.edges.map((e: { node: { id: string } }) => e.node.id);
    expect(await ids({ orderBy: { field: 'HITS', direction: 'DESC' } })).toEqual([often, once, never]);
    expect(await ids({ filter: { notHitSince: new Date(Date.now() - 60_000).toISOString() } })).toEqual([never]);
    expect(
      await ids({
        filter: { hitSince: new Date(Date.now() - 60_000).toISOString() },
        orderBy: { field: 'NAME', direction: 'ASC' },
      }),
    ).toEqual([often, once]);
  });

  it('reach the store by themselves every flush interval', async () => {
    api = await inProcessApi({ statistics: { flushIntervalMs: 50 } });
    const admin = await api.as('admin');
    await createPattern(admin, 'user unknown', 'user unknown');
    await admin(CLASSIFY, { reply: USER_UNKNOWN('a') });
    const stored = async () => (await api!.app.statistics.store.hits({ by: [] }))[0]?.count ?? 0;
    const deadline = Date.now() + 10_000;
    while ((await stored()) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await stored()).toBe(1);
  });

  it('survive a restart once flushed (real SQLite file)', async () => {
    const dir = scratchDir();
    scratch.push(dir);
    api = await onFile(dir.sqlitePath);
    let admin = await api.as('admin');
    const id = await createPattern(admin, 'user unknown', 'user unknown');
    for (const user of ['a', 'b']) await admin(CLASSIFY, { reply: USER_UNKNOWN(user) });
    await api.stop(); // a graceful stop flushes
    api = await onFile(dir.sqlitePath);
    admin = await api.as('admin');
    expect((await admin(HITS, { id })).data.bouncePattern.hits.total).toBe(2);
  });

  it('add up across two replicas that share one store', async () => {
    const dir = scratchDir();
    scratch.push(dir);
    api = await onFile(dir.sqlitePath);
    const other = await onFile(dir.sqlitePath);
    try {
      const admin = await api.as('admin');
      const id = await createPattern(admin, 'user unknown', 'user unknown');
      const otherAdmin = await other.as('admin');
      await other.app.runner.waitFor(await other.store.headPosition());
      for (const user of ['a', 'b', 'c']) await admin(CLASSIFY, { reply: USER_UNKNOWN(user) });
      for (const user of ['d', 'e']) await otherAdmin(CLASSIFY, { reply: USER_UNKNOWN(user) });
      await Promise.all([api.app.statistics.flush(), other.app.statistics.flush()]);
      await api.app.statistics.loadTotals();
      await other.app.statistics.loadTotals();
      expect((await admin(HITS, { id })).data.bouncePattern.hits.total).toBe(5);
      expect((await otherAdmin(HITS, { id })).data.bouncePattern.hits.total).toBe(5);
    } finally {
      await other.stop();
    }
  });

  it.skipIf(postgresSkipReason !== null)('add up across two replicas on one PostgreSQL schema', async () => {
    const schema = schemas.name();
    const onPostgres = async () =>
      inProcessApi({
        store: await PostgresEventStore.open(postgresUrl, { schema, pollIntervalMs: 50 }),
        statisticsStore: await PostgresStatisticsStore.open(postgresUrl, { schema }),
        statistics: { flushIntervalMs: 3_600_000 },
      });
    api = await onPostgres();
    const other = await onPostgres();
    try {
      const admin = await api.as('admin');
      const id = await createPattern(admin, 'user unknown', 'user unknown');
      await other.app.runner.waitFor(await api.store.headPosition());
      const otherAdmin = await other.as('admin');
      for (const user of ['a', 'b', 'c']) await admin(CLASSIFY, { reply: USER_UNKNOWN(user) });
      for (const user of ['d', 'e']) await otherAdmin(CLASSIFY, { reply: USER_UNKNOWN(user) });
      await Promise.all([api.app.statistics.flush(), other.app.statistics.flush()]);
      await other.app.statistics.loadTotals();
      expect((await otherAdmin(HITS, { id })).data.bouncePattern.hits.total).toBe(5);
    } finally {
      await other.stop();
    }
  });

  it('leave no recipient address nor local part in the store’s files', async () => {
    const dir = scratchDir();
    scratch.push(dir);
    api = await onFile(dir.sqlitePath);
    const admin = await api.as('admin');
    await createPattern(admin, 'user unknown', 'user unknown');
    const recipients = ['zelda.fitzgerald', 'octavia.quux', 'bartholomew99'];
    for (const user of recipients) {
      await admin(CLASSIFY, { reply: USER_UNKNOWN(user), to: `${user}@example.com` });
      await admin(CLASSIFY, { reply: MAILBOX_FULL(user), to: `${user}@example.org` });
      // A server that quotes the local part alone.
      await admin(CLASSIFY, { reply: `550 mailbox ${user} unavailable`, to: `${user}@example.net` });
    }
    await api.stop();
    api = undefined;
    const files = readdirSync(dir.dir).map((name) => readFileSync(join(dir.dir, name)).toString('latin1'));
    expect(files.join('')).toContain('{local}'); // the replies were kept, masked
    for (const user of recipients) for (const file of files) expect(file.includes(user), user).toBe(false);
  });
});

describe('statistics on EventStoreDB (scripted server, see test/support/scriptedEventStoreDb.ts)', () => {
  it('survive a restart and add up across replicas, with no address in the streams', async () => {
    const dir = scratchDir();
    scratch.push(dir);
    const server = new ScriptedEventStoreDb();
    const replica = () =>
      inProcessApi({
        store: new SqliteEventStore(dir.sqlitePath),
        statisticsStore: new EventStoreDbStatisticsStore(server.client(), { retentionDays: 30 }),
        statistics: { flushIntervalMs: 3_600_000 },
      });
    api = await replica();
    let admin = await api.as('admin');
    const id = await createPattern(admin, 'user unknown', 'user unknown');
    const recipients = ['zelda.fitzgerald', 'octavia.quux'];
    for (const user of recipients) {
      await admin(CLASSIFY, { reply: USER_UNKNOWN(user), to: `${user}@example.com` });
      await admin(CLASSIFY, { reply: `550 mailbox ${user} unavailable`, to: `${user}@example.net` });
    }
    const rulesetVersion = (await admin(CLASSIFY, { reply: USER_UNKNOWN('x') })).data.classify.rulesetVersion;
    await api.stop(); // a graceful stop flushes
    api = await replica();
    admin = await api.as('admin');
    expect((await admin(HITS, { id })).data.bouncePattern.hits.total).toBe(3);
    await admin(CLASSIFY, { reply: USER_UNKNOWN('y') });
    await api.app.statistics.flush();
    await api.app.statistics.loadTotals();
    expect((await admin(HITS, { id })).data.bouncePattern.hits.total).toBe(4);
    expect((await admin(CLASSIFY, { reply: USER_UNKNOWN('z') })).data.classify.rulesetVersion).toBe(rulesetVersion);
    const streams = JSON.stringify(
      [...server.streams.values()].flatMap((stream) => stream.events.map((e) => decodeEventData(e.data))),
    );
    expect(streams).toContain('{local}'); // the replies were kept, masked
    for (const user of recipients) expect(streams.includes(user), user).toBe(false);
  });
});

describe('retention', () => {
  it('rolls hour buckets older than two days into days, and drops what is older than the retention', async () => {
    let now = Date.UTC(2026, 10, 1, 10, 30);
    api = await inProcessApi({ statistics: { retentionDays: 30, flushIntervalMs: 3_600_000, clock: () => now } });
    const admin = await api.as('admin');
    const id = await createPattern(admin, 'user unknown', 'user unknown');
    await admin(CLASSIFY, { reply: USER_UNKNOWN('old') });
    await admin(CLASSIFY, { reply: UNMATCHED_REPLY('mx.old.example', '192.0.2.9') });
    await api.app.statistics.flush();
    now += 3 * 86_400_000;
    await admin(CLASSIFY, { reply: USER_UNKNOWN('recent') });
    await api.app.statistics.flush();
    let hits = (await admin(HITS, { id })).data.bouncePattern.hits;
    expect(hits.total).toBe(2);
    expect(hits.hourly.map((b: { count: number }) => b.count)).toEqual([1]); // the old hour is a day bucket now
    expect(hits.daily.map((b: { count: number }) => b.count)).toEqual([1, 1]);
    now += 28 * 86_400_000; // the first day is 31 days old
    await admin(CLASSIFY, { reply: USER_UNKNOWN('new') });
    await api.app.statistics.flush();
    await api.app.statistics.loadTotals();
    hits = (await admin(HITS, { id })).data.bouncePattern.hits;
    expect(hits.total).toBe(2);
    expect(hits.daily).toHaveLength(2);
    expect((await admin(UNMATCHED)).data.unmatchedReplies.totalCount).toBe(0);
  });
});

describe('unmatched replies', () => {
  it('group replies that differ only in masked parts, with counts, ISP, verdict, example and a suggested pattern', async () => {
    api = await inProcessApi({ seed: false });
    const admin = await api.as('admin');
    await admin(CLASSIFY, { reply: UNMATCHED_REPLY('mx1.example.net', '192.0.2.1'), to: 'amy@example.com' });
    await admin(CLASSIFY, { reply: UNMATCHED_REPLY('mx2.example.org', '198.51.100.7'), to: 'bob@example.com' });
    await admin(CLASSIFY, { reply: '554 5.7.1 message refused as spam' });
    await api.app.statistics.flush();
    const edges = (await admin(UNMATCHED)).data.unmatchedReplies.edges.map((e: { node: unknown }) => e.node);
    expect(edges).toHaveLength(2);
    const [throttled] = edges;
    expect(throttled).toMatchObject({
      template: '421 4.7.0 {host} [{ip}] connection throttled, come back in {n} s',
      type: 'SOFT_BOUNCE',
      matchedBy: 'REPLY_CODE',
      count: 2,
      ispId: null,
    });
    const tried = await admin(
      `query($p: String!, $s: [String!]!) { testPattern(pattern: $p, samples: $s) { trials { matches } } }`,
      { p: throttled.suggestedPattern, s: [throttled.example, UNMATCHED_REPLY('mx9.example.com', '203.0.113.5')] },
    );
    expect(tried.data.testPattern.trials.map((t: { matches: boolean }) => t.matches)).toEqual([true, true]);
    expect((await admin(UNMATCHED, { filter: { search: 'SPAM' } })).data.unmatchedReplies.totalCount).toBe(1);
  });
});

describe('previewRuleChange', () => {
  async function trafficWith(admin: Send) {
    const unknown = await createPattern(admin, 'user unknown', 'user unknown');
    const general = await createPattern(admin, 'rejected', 'recipient address rejected', 'BOUNCE');
    const full = await createPattern(admin, 'mailbox full', 'mailbox .* is full', 'SOFT_BOUNCE');
    for (const user of ['a', 'b', 'c', 'd']) await admin(CLASSIFY, { reply: USER_UNKNOWN(user) });
    for (const user of ['e', 'f']) await admin(CLASSIFY, { reply: MAILBOX_FULL(user) });
    await admin(CLASSIFY, { reply: '550 5.1.1 recipient address rejected: not here' });
    await admin(CLASSIFY, { reply: UNMATCHED_REPLY('mx.example.net', '192.0.2.1') });
    return { unknown, general, full };
  }

  it('of disabling a rule moves exactly the replies that rule decided, and writes nothing', async () => {
    api = await inProcessApi();
    const admin = await api.as('admin');
    const { unknown, general } = await trafficWith(admin);
    await api.app.statistics.flush();
    const head = await api.store.headPosition();
    const decided = (await admin(HITS, { id: unknown })).data.bouncePattern.hits.total;
    const answer = await admin(PREVIEW, { changes: [{ kind: 'DISABLE', id: unknown }] });
    expect(answer.errors).toBeUndefined();
    const preview = answer.data.previewRuleChange;
    expect(preview.sampledOccurrences).toBe(8);
    expect(preview.movedOccurrences).toBe(decided);
    expect(preview.moves).toEqual([
      {
        from: { type: 'HARD_BOUNCE', matchedBy: 'PATTERN', patternId: unknown },
        to: { type: 'BOUNCE', matchedBy: 'PATTERN', patternId: general, patternName: 'rejected' },
        templates: 1,
        occurrences: 4,
        examples: ['550 5.1.1 <{address}>: Recipient address rejected: user unknown'],
      },
    ]);
    expect(await api.store.headPosition()).toBe(head);
    expect(api.app.bouncePatterns.get(unknown)?.enabled).toBe(true);
  });

  it('of a new rule and of a deletion, in one list', async () => {
    api = await inProcessApi();
    const admin = await api.as('admin');
    const { full } = await trafficWith(admin);
    await api.app.statistics.flush();
    const answer = await admin(PREVIEW, {
      changes: [
        {
          kind: 'CREATE',
          fields: { name: 'throttled', type: 'SOFT_BOUNCE', pattern: 'connection throttled', priority: 1 },
        },
        { kind: 'DELETE', id: full },
      ],
    });
    expect(answer.errors).toBeUndefined();
    const moves = answer.data.previewRuleChange.moves.map((m: any) => [
      m.from.patternId,
      m.to.patternName ?? m.to.matchedBy,
      m.occurrences,
    ]);
    expect(moves).toEqual(
      expect.arrayContaining([
        [full, 'REPLY_CODE', 2],
        [null, 'throttled', 1],
      ]),
    );
    expect(moves).toHaveLength(2);
  });

  it('refuses bad changes with a clear code, writing nothing', async () => {
    api = await inProcessApi();
    const admin = await api.as('admin');
    await trafficWith(admin);
    const head = await api.store.headPosition();
    const codeOf = async (changes: unknown[]) => (await admin(PREVIEW, { changes })).errors?.[0]?.extensions?.code;
    expect(await codeOf([{ kind: 'CREATE', fields: { name: 'x', type: 'BOUNCE', pattern: '(a' } }])).toBe(
      'BAD_USER_INPUT',
    );
    expect(await codeOf([{ kind: 'DISABLE', id: 'nope' }])).toBe('NOT_FOUND');
    expect(await codeOf([])).toBe('BAD_USER_INPUT');
    expect(await api.store.headPosition()).toBe(head);
  });
});

describe('dryRun on create and edit', () => {
  const CREATE_DRY = `mutation($input: CreateBouncePatternInput!) { createBouncePattern(input: $input, dryRun: true) {
    pattern { id } warnings preview { movedOccurrences moves { from { patternId } to { patternId patternName } occurrences } } } }`;
  const EDIT_DRY = `mutation($id: ID!, $v: Int!, $input: EditBouncePatternInput!) {
    editBouncePattern(id: $id, expectedVersion: $v, input: $input, dryRun: true) { pattern { id } preview { movedOccurrences } } }`;

  it('answer the preview and write nothing', async () => {
    api = await inProcessApi();
    const admin = await api.as('admin');
    const unknown = await createPattern(admin, 'user unknown', 'user unknown');
    for (const user of ['a', 'b', 'c']) await admin(CLASSIFY, { reply: USER_UNKNOWN(user) });
    await api.app.statistics.flush();
    const head = await api.store.headPosition();
    const patterns = api.app.runner.model.patterns().length;

    const created = await admin(CREATE_DRY, {
      input: { name: 'rejected first', type: 'BOUNCE', pattern: 'address rejected', priority: 1 },
    });
    expect(created.errors).toBeUndefined();
    expect(created.data.createBouncePattern.pattern).toBeNull();
    expect(created.data.createBouncePattern.preview.moves).toEqual([
      { from: { patternId: unknown }, to: { patternId: 'proposed-1', patternName: 'rejected first' }, occurrences: 3 },
    ]);
    const edited = await admin(EDIT_DRY, { id: unknown, v: 1, input: { enabled: false } });
    expect(edited.data.editBouncePattern).toEqual({ pattern: null, preview: { movedOccurrences: 3 } });

    const stale = await admin(EDIT_DRY, { id: unknown, v: 7, input: { enabled: false } });
    expect(stale.errors?.[0]?.extensions?.code).toBe('CONFLICT');
    const bad = await admin(CREATE_DRY, { input: { name: 'bad', type: 'BOUNCE', pattern: '(?<=x)y' } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');

    expect(await api.store.headPosition()).toBe(head);
    expect(api.app.runner.model.patterns()).toHaveLength(patterns);
    expect(api.app.bouncePatterns.get(unknown)?.enabled).toBe(true);
  });
});

describe('a flush the store refuses', () => {
  it('keeps the hit counts for the next flush', async () => {
    api = await inProcessApi({ statistics: { flushIntervalMs: 3_600_000 } });
    const admin = await api.as('admin');
    const id = await createPattern(admin, 'user unknown', 'user unknown');
    await admin(CLASSIFY, { reply: USER_UNKNOWN('a') });
    const store = api.app.statistics.store;
    const add = store.add.bind(store);
    store.add = async () => {
      throw new Error('disk full');
    };
    await expect(api.app.statistics.flush()).rejects.toThrow('disk full');
    store.add = add;
    await admin(CLASSIFY, { reply: USER_UNKNOWN('b') });
    await api.app.statistics.flush();
    expect(await store.hits({ by: ['patternId'] })).toEqual([expect.objectContaining({ patternId: id, count: 2 })]);
  });
});
