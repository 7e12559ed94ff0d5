import { mkdtempSync, rmSync, statSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { Audit, type AuditLogFilter } from '../src/app/audit.js';
import { encodeCursor } from '../src/app/pagination.js';
import { ProjectionRunner } from '../src/app/projectionRunner.js';
import { ReadModel } from '../src/app/readModel.js';
import { exportAuditTrail, type ExportFormat } from '../src/cli/export.js';
import { EVENT_SCHEMA_VERSION } from '../src/domain/events.js';
import type { Actor } from '../src/domain/types.js';
import { verifyChain } from '../src/eventstore/chain.js';
import { SqliteEventStore } from '../src/eventstore/sqlite.js';
import { recorded } from '../src/eventstore/port.js';

/*
 * Audit figures over a log of 100,000 events in a SQLite file: 500 patterns over 10 ISPs, edited round
 * robin (one event a minute), so every moment has a different rule set.
 */

const PATTERNS = 500;
const ISPS = 10;
const ACTORS: Actor[] = [
  { id: 'tok_alice', name: 'Alice', kind: 'token' },
  { id: 'tok_bob', name: 'Bob', kind: 'token' },
];
const START = Date.UTC(2023, 0, 1);
export const minute = (n: number) => new Date(START + n * 60_000).toISOString();

/** Fills `store` with `events` events: the same 510 live rules at any length, edited round robin. */
export async function buildLog(store: SqliteEventStore, events: number): Promise<void> {
  // One fsync per append would make building the fixture, not the figures, the slow part.
  store.database.pragma('synchronous = OFF');
  let n = 0;
  const append = (streamId: string, version: number, type: string, data: unknown) =>
    store
      .append(
        streamId,
        [
          {
            eventId: `bench-${n}`,
            type,
            data,
            metadata: {
              actor: ACTORS[n % ACTORS.length]!,
              occurredAt: minute(n),
              commandId: `bench-${n}`,
              commandHash: null,
              correlationId: `bench-${n}`,
              causationId: null,
              reason: n % 7 === 0 ? `ticket OPS-${n}` : null,
              schemaVersion: EVENT_SCHEMA_VERSION,
            },
          },
        ],
        version - 1,
      )
      .then(() => void n++);
  for (let i = 0; i < ISPS; i++)
    await append(`isp-isp${i}`, 1, 'IspCreated', {
      ispId: `isp${i}`,
      origin: 'CUSTOM',
      name: `ISP ${i}`,
      domains: [`isp${i}.example`],
    });
  const priority = new Array<number>(PATTERNS).fill(100);
  const version = new Array<number>(PATTERNS).fill(1);
  for (let p = 0; p < PATTERNS; p++) {
    await append(`bouncePattern-p${p}`, 1, 'BouncePatternCreated', {
      patternId: `p${p}`,
      origin: 'CUSTOM',
      name: `rule ${p}`,
      type: p % 3 === 0 ? 'HARD_BOUNCE' : p % 3 === 1 ? 'SOFT_BOUNCE' : 'BOUNCE',
      ispId: p % 2 === 0 ? null : `isp${p % ISPS}`,
      pattern: `marker ${p} (user unknown|mailbox full)`,
      message: `message ${p}`,
      priority: 100,
      enabled: true,
    });
  }
  for (let e = 0; n < events; e++) {
    const p = e % PATTERNS;
    const next = ((priority[p]! + 7) % 200) + 1;
    const changes =
      e % 5 === 0 ? { pattern: `marker ${p} v${e} (user unknown|mailbox full)`, priority: next } : { priority: next };
    const previous = e % 5 === 0 ? { pattern: '(earlier)', priority: priority[p] } : { priority: priority[p] };
    priority[p] = next;
    version[p]! += 1;
    await append(`bouncePattern-p${p}`, version[p]!, 'BouncePatternEdited', { patternId: `p${p}`, changes, previous });
  }
  store.database.pragma('synchronous = FULL');
}

/** Runs `work` while sampling memory every 5 ms; returns its time and the peaks above the level before it. */
async function measured<T>(
  work: () => Promise<T>,
): Promise<{ result: T; ms: number; peakRssMb: number; peakHeapMb: number }> {
  globalThis.gc?.();
  const base = process.memoryUsage();
  let peakRss = base.rss;
  let peakHeap = base.heapUsed;
  const sample = setInterval(() => {
    const now = process.memoryUsage();
    peakRss = Math.max(peakRss, now.rss);
    peakHeap = Math.max(peakHeap, now.heapUsed);
  }, 5);
  const started = performance.now();
  try {
    const result = await work();
    return {
      result,
      ms: performance.now() - started,
      peakRssMb: (peakRss - base.rss) / 2 ** 20,
      peakHeapMb: (peakHeap - base.heapUsed) / 2 ** 20,
    };
  } finally {
    clearInterval(sample);
  }
}

const time = async (work: () => Promise<unknown>) => {
  const started = performance.now();
  await work();
  return performance.now() - started;
};

export interface AuditBenchFigures {
  events: number;
  buildSeconds: number;
  catchUp: { ms: number; heapMb: number };
  /** One page of 50 entries, newest first: the first page, then one from the middle of the log (a cursor). */
  logPages: { label: string; totalCount: number; firstMs: number; deepMs: number }[];
  asOf: { label: string; position: string; coldMs: number; repeatedMs: number; fullReplayMs: number }[];
  classifyAsOf: { replies: number; ms: number };
  export: {
    format: ExportFormat;
    ms: number;
    eventsPerSecond: number;
    mbPerSecond: number;
    peakRssMb: number;
    peakHeapMb: number;
  }[];
  verify: { ms: number; eventsPerSecond: number; peakRssMb: number };
}

export async function runAuditBench({ events = 100_000 } = {}): Promise<AuditBenchFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'bounce-patterns-audit-bench-'));
  const store = new SqliteEventStore(join(dir, 'events.sqlite'));
  try {
    const buildSeconds = (await time(() => buildLog(store, events))) / 1000;

    // Export and verify first, with nothing else in memory, so their peaks are theirs alone.
    const exports: AuditBenchFigures['export'] = [];
    for (const format of ['jsonl', 'csv'] as const) {
      const file = join(dir, `audit.${format}`);
      const run = await measured(() => exportAuditTrail(store, format, createWriteStream(file)));
      const bytes = statSync(file).size;
      exports.push({
        format,
        ms: run.ms,
        eventsPerSecond: events / (run.ms / 1000),
        mbPerSecond: bytes / 2 ** 20 / (run.ms / 1000),
        peakRssMb: run.peakRssMb,
        peakHeapMb: run.peakHeapMb,
      });
    }
    const verified = await measured(() => verifyChain(store.readAll()));
    if (!verified.result.ok) throw new Error('the bench log does not verify');

    globalThis.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const runner = new ProjectionRunner(store);
    const catchUpMs = await time(() => runner.start());
    globalThis.gc?.();
    const catchUp = { ms: catchUpMs, heapMb: (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20 };
    const audit = new Audit(store, runner);

    const logPages: AuditBenchFigures['logPages'] = [];
    const filters: { label: string; filter: AuditLogFilter }[] = [
      { label: 'no filter', filter: {} },
      { label: 'one actor', filter: { actor: 'tok_bob' } },
      { label: 'one pattern', filter: { patternId: 'p7' } },
      { label: 'one event type', filter: { eventTypes: ['BouncePatternCreated'] } },
      { label: 'one day', filter: { from: new Date(minute(events / 2)), to: new Date(minute(events / 2 + 1440)) } },
    ];
    for (const { label, filter } of filters) {
      let first = await audit.log(filter, { first: 50 });
      const firstMs = await time(async () => {
        first = await audit.log(filter, { first: 50 });
      });
      // Deep: newest first from the middle of the log, as an auditor paging back would get there.
      const middle = encodeCursor([Math.round(events / 2)]);
      const deepMs = await time(() => audit.log(filter, { first: 50, after: middle }));
      logPages.push({ label, totalCount: first.totalCount, firstMs, deepMs });
    }

    const asOf: AuditBenchFigures['asOf'] = [];
    const moments = [
      // Off the snapshot positions, as a question usually is: half a snapshot interval to replay.
      { label: '10% (position)', asOf: { position: BigInt(Math.round(events * 0.1) + 500) } },
      { label: '50% (time)', asOf: { at: new Date(minute(Math.round(events * 0.5) + 499)) } },
      { label: '90% (position)', asOf: { position: BigInt(Math.round(events * 0.9) + 500) } },
      { label: 'head (time)', asOf: { at: new Date(minute(events + 10)) } },
    ];
    for (const moment of moments) {
      // Cold: rows then matcher (every pattern compiled); repeated: the cache answers.
      const coldMs = await time(async () =>
        (await audit.matcherAsOf(moment.asOf)).classify({ reply: '550 marker 1 user unknown' }),
      );
      const repeatedMs = await time(async () =>
        (await audit.matcherAsOf(moment.asOf)).classify({ reply: '550 marker 1 user unknown' }),
      );
      const { position } = await audit.bouncePatternsAsOf(moment.asOf);
      // What a question would cost without snapshots or cache: replay from the start, then compile.
      const fullReplayMs = await time(async () => {
        const model = new ReadModel();
        for await (const event of store.readAll()) {
          if (event.position > position!) break;
          model.apply(recorded(event));
        }
        void model.matcher;
      });
      asOf.push({ label: moment.label, position: String(position), coldMs, repeatedMs, fullReplayMs });
    }

    const replies = 1_000;
    const pastMoment = { position: BigInt(Math.round(events * 0.3)) };
    await audit.matcherAsOf(pastMoment);
    const classifyMs = await time(async () => {
      for (let i = 0; i < replies; i++)
        (await audit.matcherAsOf(pastMoment)).classify({
          reply: `550 5.1.1 marker ${i % PATTERNS} mailbox full`,
          recipient: `x@isp${i % ISPS}.example`,
        });
    });
    await runner.stop();

    return {
      events,
      buildSeconds,
      catchUp,
      logPages,
      asOf,
      classifyAsOf: { replies, ms: classifyMs },
      export: exports,
      verify: { ms: verified.ms, eventsPerSecond: events / (verified.ms / 1000), peakRssMb: verified.peakRssMb },
    };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printAuditBench(figures: AuditBenchFigures): void {
  const f = (n: number, digits = 1) => n.toFixed(digits);
  console.log(
    `\naudit trail and time travel, log of ${figures.events.toLocaleString('en')} events (fixture built in ${f(figures.buildSeconds)} s)`,
  );
  console.log(
    `  runner catch-up (read model and its bounded snapshots): ${f(figures.catchUp.ms, 0)} ms, +${f(figures.catchUp.heapMb)} MB heap`,
  );
  console.log('  audit log page of 50, read from the store:');
  console.log('    filter            matching   first page ms   page from the middle ms');
  for (const row of figures.logPages)
    console.log(
      `    ${row.label.padEnd(17)} ${String(row.totalCount).padStart(8)} ${f(row.firstMs).padStart(15)} ${f(row.deepMs).padStart(24)}`,
    );
  console.log('  as-of question (rules + matcher + one classify):');
  console.log('    moment            position   cold ms   repeated ms   full replay ms (no snapshot)');
  for (const row of figures.asOf)
    console.log(
      `    ${row.label.padEnd(17)} ${row.position.padStart(8)} ${f(row.coldMs).padStart(9)} ${f(row.repeatedMs, 3).padStart(13)} ${f(row.fullReplayMs).padStart(16)}`,
    );
  console.log(
    `  classify asOf, ${figures.classifyAsOf.replies} replies at one past moment: ${f(figures.classifyAsOf.ms)} ms`,
  );
  for (const e of figures.export)
    console.log(
      `  export ${e.format.padEnd(5)}: ${f(e.ms, 0)} ms, ${Math.round(e.eventsPerSecond).toLocaleString('en')} events/s, ${f(e.mbPerSecond)} MB/s; peak +${f(e.peakRssMb)} MB rss, +${f(e.peakHeapMb)} MB heap`,
    );
  console.log(
    `  verify chain: ${f(figures.verify.ms, 0)} ms, ${Math.round(figures.verify.eventsPerSecond).toLocaleString('en')} events/s; peak +${f(figures.verify.peakRssMb)} MB rss`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printAuditBench(await runAuditBench());
}
