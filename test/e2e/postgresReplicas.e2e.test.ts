import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceEnv } from '../support/auth.js';
import { gql, gqlData } from '../support/graphqlClient.js';
import {
  createNetworkNamespace,
  hostOnlyAddress,
  networkNamespacesUnavailable,
  type NetworkNamespace,
} from '../support/netns.js';
import { startThrowawayCluster, throwawayClusterUnavailable, type ThrowawayCluster } from '../support/pgCluster.js';
import { CLASSIFY, CREATE_PATTERN, EDIT_PATTERN, GET_PATTERN, LIST_PATTERNS } from '../support/queries.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

/**
 * Two service replicas, each in a network namespace of its own (a separate host as far as TCP goes), on
 * one PostgreSQL server: a cluster this file starts for itself, so that it can stop and restart it
 * without disturbing the shared server other tests use.
 */
const skipReason = networkNamespacesUnavailable() ?? throwawayClusterUnavailable();
if (skipReason) console.warn(`PostgreSQL replicas on separate hosts: skipped — ${skipReason}`);

const BOUND_MS = 5_000;
const scratch = scratchDir();
let cluster: ThrowawayCluster;
/** The address the replicas reach PostgreSQL at: each through its own route, which a test can cut. */
let database: ReturnType<typeof hostOnlyAddress>;
const namespaces: NetworkNamespace[] = [];
const replicas: ServiceProcess[] = [];
let a: ServiceProcess;
let b: ServiceProcess;

async function startReplica(ns: NetworkNamespace): Promise<ServiceProcess> {
  const replica = await startServiceProcess(
    serviceEnv(scratch.sqlitePath, { DATABASE_URL: cluster.url(database.address), HOST: ns.address }),
    ['ip', 'netns', 'exec', ns.name],
  );
  replicas.push(replica);
  return replica;
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, boundMs = BOUND_MS): Promise<T> {
  const deadline = performance.now() + boundMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (performance.now() > deadline) throw new Error(`not reached within ${boundMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

const health = async (replica: ServiceProcess) => {
  const response = await fetch(new URL('/healthz', replica.url));
  return { httpStatus: response.status, ...((await response.json()) as { store: string }) };
};

const patternInput = (name: string, pattern = `${name}\\b`) => ({
  name,
  type: 'HARD_BOUNCE',
  pattern,
  message: 'probe',
  priority: 1,
});

/** Every pattern whose name starts with `prefix`, as replica `on` lists them. */
async function patternsNamed(on: ServiceProcess, prefix: string): Promise<{ id: string; name: string }[]> {
  const found: { id: string; name: string }[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await gqlData(on.url, LIST_PATTERNS, { filter: { search: prefix }, first: 500, after }))
      .bouncePatterns;
    found.push(...page.edges.map((edge: any) => edge.node).filter((node: any) => node.name.startsWith(prefix)));
    if (!page.pageInfo.hasNextPage) return found;
    after = page.pageInfo.endCursor;
  }
}

(skipReason ? describe.skip : describe)(skipReason ?? 'PostgreSQL replicas on separate hosts', () => {
  beforeAll(async () => {
    cluster = await startThrowawayCluster();
    database = hostOnlyAddress();
    namespaces.push(createNetworkNamespace('a'), createNetworkNamespace('b'));
    for (const ns of namespaces) ns.routeTo(database.address);
    [a, b] = await Promise.all(namespaces.map(startReplica));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop('SIGKILL')));
    for (const ns of namespaces) ns.remove();
    database?.remove();
    cluster?.destroy();
    scratch.cleanup();
  });

  it('runs each replica at its own address, both on PostgreSQL, with no SQLite file written', () => {
    expect(new URL(a.url).hostname).toBe(namespaces[0]!.address);
    expect(new URL(b.url).hostname).toBe(namespaces[1]!.address);
    expect(a.output()).toContain('event store: PostgreSQL');
    expect(existsSync(scratch.sqlitePath)).toBe(false);
  });

  it('a write acknowledged by A reaches classify and the lists on B (p50/p99 of the delay)', async () => {
    const delays: number[] = [];
    for (let i = 0; i < 40; i++) {
      const reply = `550 netns probe ${i} rejected`;
      const created = await gqlData(a.url, CREATE_PATTERN, { input: patternInput(`netns probe ${i}`) });
      const acknowledged = performance.now();
      const id = created.createBouncePattern.pattern.id;
      await until(
        () => gqlData(b.url, CLASSIFY, { reply }),
        (data) => data.classify.pattern?.patternId === id,
      );
      delays.push(performance.now() - acknowledged);
      expect((await gqlData(b.url, GET_PATTERN, { id })).bouncePattern).toMatchObject({ id, version: 1 });
    }
    delays.sort((x, y) => x - y);
    console.log(
      `replica delay A→B over ${delays.length} writes (PostgreSQL, LISTEN/NOTIFY, separate network namespaces): ` +
        `p50 ${percentile(delays, 50).toFixed(1)} ms, p99 ${percentile(delays, 99).toFixed(1)} ms, max ${delays.at(-1)!.toFixed(1)} ms`,
    );
    expect(delays.at(-1)!).toBeLessThan(BOUND_MS);
  });

  it('concurrent edits of one pattern through A and B with the same expected version: one wins, one CONFLICT', async () => {
    const created = await gqlData(a.url, CREATE_PATTERN, { input: patternInput('netns contested') });
    const id = created.createBouncePattern.pattern.id;
    await until(
      () => gqlData(b.url, GET_PATTERN, { id }),
      (data) => data.bouncePattern !== null,
    );
    for (let version = 1; version <= 10; version++) {
      const answers = await Promise.all(
        [a, b].map((replica, i) =>
          gql(replica.url, EDIT_PATTERN, { id, expectedVersion: version, input: { priority: 10 * version + i } }),
        ),
      );
      const won = answers.filter((answer) => !answer.errors);
      const lost = answers.filter((answer) => answer.errors);
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.errors![0]!.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: version + 1 });
    }
    const final = await until(
      () => gqlData(b.url, GET_PATTERN, { id }),
      (data) => data.bouncePattern.version === 11,
    );
    expect(final.bouncePattern.version).toBe(11);
  });

  it('PostgreSQL stopped and restarted under load: classify answers, health goes down and up, no write lost or doubled', async () => {
    const acknowledged = new Set<string>();
    const writeErrors = new Map<string, number>();
    const classifications = { ok: 0, failed: 0, okWhileDown: 0 };
    let down = false;
    let loading = true;

    // Each write is retried with its clientMutationId until acknowledged, as a careful client would.
    const writer = async () => {
      for (let i = 0; loading; i++) {
        const name = `fault load ${i}`;
        for (;;) {
          const answer = await gql(a.url, CREATE_PATTERN, { input: patternInput(name), clientMutationId: name }).catch(
            (error: unknown) => ({ errors: [{ message: String(error), extensions: { code: 'NETWORK' } }] }),
          );
          if (!answer.errors) {
            acknowledged.add(name);
            break;
          }
          const code = String(answer.errors[0]!.extensions?.code);
          writeErrors.set(code, (writeErrors.get(code) ?? 0) + 1);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    };
    const classifier = async (replica: ServiceProcess) => {
      while (loading) {
        const answer = await gql(replica.url, CLASSIFY, { reply: '550 5.1.1 user unknown' }).catch(() => null);
        if (answer && !answer.errors && answer.data.classify.type) {
          classifications.ok += 1;
          if (down) classifications.okWhileDown += 1;
        } else classifications.failed += 1;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const load = Promise.all([writer(), classifier(a), classifier(b)]);

    await until(
      async () => acknowledged.size,
      (n) => n >= 10,
      30_000,
    );
    await cluster.stop();
    down = true;
    for (const replica of [a, b])
      await until(
        () => health(replica),
        (h) => h.httpStatus === 503 && h.store === 'down',
        15_000,
      );
    // Down for a while, under load: classify keeps answering from the rules each replica holds.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const whileDown = acknowledged.size;
    await until(
      async () => writeErrors.get('STORE_UNAVAILABLE') ?? 0,
      (n) => n >= 3,
      15_000,
    );
    expect(acknowledged.size).toBe(whileDown);

    await cluster.start();
    down = false;
    for (const replica of [a, b])
      await until(
        () => health(replica),
        (h) => h.httpStatus === 200 && h.store === 'up',
        30_000,
      );
    await until(
      async () => acknowledged.size,
      (n) => n >= whileDown + 10,
      30_000,
    );
    loading = false;
    await load;

    console.log(
      `fault: ${acknowledged.size} writes acknowledged, refusals ${JSON.stringify(Object.fromEntries(writeErrors))}, ` +
        `classify ${classifications.ok} answered (${classifications.okWhileDown} while PostgreSQL was down), ${classifications.failed} failed`,
    );
    expect(classifications.failed).toBe(0);
    expect(classifications.okWhileDown).toBeGreaterThan(0);
    expect([...writeErrors.keys()].filter((code) => code !== 'STORE_UNAVAILABLE')).toEqual([]);
    for (const replica of [a, b]) {
      const names = await until(
        () => patternsNamed(replica, 'fault load '),
        (found) => found.length >= acknowledged.size,
      );
      const counted = new Map<string, number>();
      for (const { name } of names) counted.set(name, (counted.get(name) ?? 0) + 1);
      expect([...counted.values()].every((n) => n === 1)).toBe(true);
      for (const name of acknowledged) expect(counted.get(name)).toBe(1);
    }
  });

  it('a replica cut off from PostgreSQL answers classify, reports the store down, refuses writes, and catches up', async () => {
    const reply = '550 partition probe rejected';
    namespaces[1]!.cutOff(database.address);
    try {
      // No packet comes back and no connection is closed: the heartbeat notices.
      await until(
        () => health(b),
        (h) => h.httpStatus === 503 && h.store === 'down',
        30_000,
      );
      expect((await gqlData(b.url, CLASSIFY, { reply: '550 5.1.1 user unknown' })).classify.type).toBe('HARD_BOUNCE');
      const refused = await gql(b.url, CREATE_PATTERN, { input: patternInput('partition refused') });
      expect(refused.errors?.[0]?.extensions?.code).toBe('STORE_UNAVAILABLE');
      // The other replica, still connected, writes on.
      const created = await gqlData(a.url, CREATE_PATTERN, { input: patternInput('partition probe') });
      const id = created.createBouncePattern.pattern.id;
      namespaces[1]!.routeTo(database.address);
      await until(
        () => health(b),
        (h) => h.httpStatus === 200 && h.store === 'up',
        60_000,
      );
      await until(
        () => gqlData(b.url, CLASSIFY, { reply }),
        (data) => data.classify.pattern?.patternId === id,
        30_000,
      );
      expect(await patternsNamed(a, 'partition refused')).toEqual([]);
    } finally {
      namespaces[1]!.routeTo(database.address);
    }
  }, 120_000);

  it('a replica killed with SIGKILL mid-write loses no acknowledged write', async () => {
    const acknowledged: string[] = [];
    const writes = Array.from({ length: 30 }, (_, i) =>
      gql(a.url, CREATE_PATTERN, { input: patternInput(`kill load ${i}`) })
        .then((answer) => {
          if (!answer.errors) acknowledged.push(answer.data.createBouncePattern.pattern.id);
        })
        .catch(() => undefined),
    );
    await until(
      async () => acknowledged.length,
      (n) => n >= 3,
      30_000,
    );
    await a.stop('SIGKILL');
    await Promise.all(writes);
    for (const id of acknowledged)
      await until(
        () => gqlData(b.url, GET_PATTERN, { id }),
        (data) => data.bouncePattern?.id === id,
      );
    console.log(`SIGKILL: ${acknowledged.length} of 30 concurrent writes acknowledged before the kill, all on B`);
    // A replacement replica catches up with the same log.
    a = await startReplica(namespaces[0]!);
    const [fromA, fromB] = await Promise.all([a, b].map((replica) => patternsNamed(replica, 'kill load ')));
    expect(fromA.map((p) => p.id).sort()).toEqual(fromB.map((p) => p.id).sort());
  });
});
