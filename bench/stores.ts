import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { EVENT_SCHEMA_VERSION } from '../src/domain/events.js';
import type { EventStore, EventToAppend } from '../src/eventstore/port.js';
import { PostgresEventStore } from '../src/eventstore/postgres.js';
import { SqliteEventStore } from '../src/eventstore/sqlite.js';

/*
 * The event stores side by side: appends per second to one stream and to many streams at once, a replay
 * of 100,000 events, and how long an append takes to reach a subscription on a second instance (another
 * replica). SQLite runs with its default synchronous = FULL, PostgreSQL with its defaults (fsync on).
 */

const url = process.env.BENCH_DATABASE_URL || 'postgres://root@127.0.0.1:5432/test';
const REPLAY = 100_000;

let n = 0;
const event = (): EventToAppend => {
  n += 1;
  return {
    eventId: `bench-${n}-${Math.random()}`,
    type: 'BouncePatternEdited',
    data: { patternId: `p${n % 500}`, changes: { priority: n }, previous: { priority: n - 1 } },
    metadata: {
      actor: { id: 'tok_bench', name: 'Bench', kind: 'token' },
      occurredAt: new Date().toISOString(),
      commandId: `bench-${n}`,
      commandHash: null,
      correlationId: `bench-${n}`,
      causationId: null,
      reason: null,
      schemaVersion: EVENT_SCHEMA_VERSION,
    },
  };
};

interface Opened {
  readonly name: string;
  open(): Promise<EventStore>;
  cleanup(): Promise<void>;
}

/** checkpointEachAppend false: the cost of emptying the -wal file before each acknowledgement, side by side. */
function sqlite(checkpointEachAppend: boolean): Opened {
  const dir = mkdtempSync(join(tmpdir(), 'bounce-patterns-bench-'));
  return {
    name: checkpointEachAppend ? 'SQLite' : 'SQLite, -wal kept',
    open: async () => new SqliteEventStore(join(dir, 'events.sqlite'), { pollIntervalMs: 100, checkpointEachAppend }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgres(): Opened {
  const schema = `bp_bench_${process.pid}_${Date.now()}`;
  return {
    name: 'PostgreSQL',
    open: () => PostgresEventStore.open(url, { schema }),
    async cleanup() {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/** Appends for `ms` milliseconds from `writers` concurrent writers, each on a stream of its own or all on one. */
async function appendRate(store: EventStore, writers: number, oneStream: boolean, ms: number): Promise<number> {
  const deadline = performance.now() + ms;
  let appended = 0;
  const started = performance.now();
  const streamOf = (w: number) => `bouncePattern-${oneStream ? 'one' : `w${w}`}-${started}`;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (performance.now() < deadline) {
        const stream = streamOf(w);
        // 'any' on the shared stream: the figure is the store's throughput, not conflict retries.
        await store.append(stream, [event()], 'any');
        appended += 1;
      }
    }),
  );
  return appended / ((performance.now() - started) / 1_000);
}

async function fill(store: EventStore, count: number): Promise<void> {
  const writers = 8;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      for (let i = w; i < count; i += writers * 10)
        await store.append(`isp-fill-${w}`, Array.from({ length: Math.min(10, count - i) }, event), 'any');
    }),
  );
}

async function replay(store: EventStore): Promise<{ readAll: number; subscription: number }> {
  let started = performance.now();
  let count = 0;
  for await (const _ of store.readAll()) count += 1;
  const readAll = performance.now() - started;
  started = performance.now();
  const head = await store.headPosition();
  let seen = 0;
  await new Promise<void>((resolve, reject) => {
    const subscription = store.subscribeAll(null, {
      onEvents(events) {
        seen += events.length;
        if (events.at(-1)!.position === head) void subscription.stop().then(resolve);
      },
      onError: reject,
    });
  });
  if (seen !== count) throw new Error(`replayed ${seen} of ${count}`);
  return { readAll, subscription: performance.now() - started };
}

/** Milliseconds from an append acknowledged on one instance to its delivery by a subscription on another. */
async function replicaDelay(opened: Opened, samples: number): Promise<number[]> {
  const [writer, reader] = [await opened.open(), await opened.open()];
  const delivered = new Map<bigint, number>();
  let wake: (() => void) | null = null;
  const subscription = reader.subscribeAll(await reader.headPosition(), {
    onEvents(events) {
      for (const e of events) delivered.set(e.position, performance.now());
      wake?.();
    },
  });
  const delays: number[] = [];
  for (let i = 0; i < samples; i++) {
    const { position } = await writer.append('bouncePattern-delay', [event()], 'any');
    const acknowledged = performance.now();
    while (!delivered.has(position)) await new Promise<void>((resolve) => (wake = resolve));
    // Delivery can beat the writer's own acknowledgement (NOTIFY is sent at commit): that counts as 0.
    delays.push(Math.max(0, delivered.get(position)! - acknowledged));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await subscription.stop();
  await Promise.all([writer.close(), reader.close()]);
  return delays.sort((a, b) => a - b);
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function benchStores(): Promise<void> {
  const candidates = [sqlite(true), sqlite(false)];
  if (await postgresReachable()) candidates.push(postgres());
  else console.log(`\nevent stores: PostgreSQL skipped — no server at ${url} (set BENCH_DATABASE_URL)`);
  console.log('\nevent stores (appends of one event, durable commits; replay of a 100,000-event log)');
  console.log(
    'store             | 1 writer, 1 stream | 8 writers, 1 stream | 8 writers, 8 streams | replay readAll | replay subscription | replica delay p50 / p99',
  );
  for (const opened of candidates) {
    try {
      const store = await opened.open();
      const one = await appendRate(store, 1, true, 3_000);
      const sharedStream = await appendRate(store, 8, true, 3_000);
      const many = await appendRate(store, 8, false, 3_000);
      await fill(store, REPLAY - ((await store.headPosition()) !== null ? Number(await store.headPosition()) : 0));
      const replayed = await replay(store);
      await store.close();
      const delays = await replicaDelay(opened, 100);
      console.log(
        [
          opened.name.padEnd(17),
          `${one.toFixed(0)}/s`.padEnd(18),
          `${sharedStream.toFixed(0)}/s`.padEnd(19),
          `${many.toFixed(0)}/s`.padEnd(20),
          `${replayed.readAll.toFixed(0)} ms`.padEnd(14),
          `${replayed.subscription.toFixed(0)} ms`.padEnd(19),
          `${percentile(delays, 50).toFixed(1)} / ${percentile(delays, 99).toFixed(1)} ms`,
        ].join(' | '),
      );
    } finally {
      await opened.cleanup();
    }
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await benchStores();
