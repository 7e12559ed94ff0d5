import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadConfig } from '../src/config.js';
import { SqliteEventStore } from '../src/eventstore/sqlite.js';
import { startService } from '../src/server.js';
import { buildLog } from './audit.js';

/*
 * Memory after a restart, by length of history: the same live rules (500 patterns, 10 ISPs) behind logs
 * of different lengths. Each figure comes from a fresh process that starts the service on the file, as
 * an operator's restart does, and then asks 30 as-of questions in one GraphQL request.
 */

const ADMIN_TOKEN = 'bench-memory-admin-token-0123456789';
const AS_OF_QUESTIONS = 30;

export interface MemoryFigures {
  events: number;
  startMs: number;
  rssMb: number;
  heapMb: number;
  /** After 30 as-of classify questions at distinct positions in one request, then a forced GC. */
  asOf: { ms: number; peakRssMb: number; rssAfterMb: number; heapAfterMb: number };
}

const mb = (bytes: number) => bytes / 2 ** 20;

/** In the child: start the service on `path`, measure, ask, measure again. */
async function measureRestart(path: string, events: number): Promise<MemoryFigures> {
  const started = performance.now();
  const service = await startService(
    loadConfig({ SQLITE_PATH: path, PORT: '0', HOST: '127.0.0.1', BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN }),
    { seed: false },
  );
  const startMs = performance.now() - started;
  const settle = () => {
    for (let i = 0; i < 3; i++) globalThis.gc?.();
    return process.memoryUsage();
  };
  const base = settle();
  // Half classify (rules and matcher), half rule lists (rules only): the document limits cap repeated fields.
  const fields = Array.from({ length: AS_OF_QUESTIONS }, (_, i) => {
    const position = Math.round(((i + 0.5) * events) / AS_OF_QUESTIONS);
    return i % 2 === 0
      ? `q${i}: classify(reply: $reply, asOf: { position: "${position}" }) { rulesetVersion }`
      : `q${i}: bouncePatternsAsOf(asOf: { position: "${position}" }) { position }`;
  });
  let peak = base.rss;
  const sample = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const asked = performance.now();
  const response = await fetch(`${service.url}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify({
      query: `query AsOf($reply: String!) { ${fields.join(' ')} }`,
      variables: { reply: '550 marker 1 user unknown' },
    }),
  });
  const answer = (await response.json()) as { errors?: unknown; data?: Record<string, unknown> };
  const ms = performance.now() - asked;
  clearInterval(sample);
  if (answer.errors || Object.keys(answer.data ?? {}).length !== AS_OF_QUESTIONS)
    throw new Error(`as-of request failed: ${JSON.stringify(answer.errors)}`);
  const after = settle();
  await service.stop();
  return {
    events,
    startMs,
    rssMb: mb(base.rss),
    heapMb: mb(base.heapUsed),
    asOf: { ms, peakRssMb: mb(peak - base.rss), rssAfterMb: mb(after.rss), heapAfterMb: mb(after.heapUsed) },
  };
}

/** The figures of a fresh process (`script`: this file, compiled) started on the log at `path`. */
export function measuredInChild(
  path: string,
  events: number,
  script = fileURLToPath(import.meta.url),
): Promise<MemoryFigures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', script, path, String(events)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as MemoryFigures);
      else reject(new Error(`memory child exited ${code}: ${out}`));
    });
  });
}

export async function benchMemory({ sizes = [10_000, 100_000] } = {}): Promise<MemoryFigures[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bounce-patterns-memory-bench-'));
  try {
    const figures: MemoryFigures[] = [];
    for (const events of sizes) {
      const path = join(dir, `events-${events}.sqlite`);
      const store = new SqliteEventStore(path);
      await buildLog(store, events);
      await store.close();
      figures.push(await measuredInChild(path, events));
    }
    printMemoryBench(figures);
    return figures;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printMemoryBench(figures: readonly MemoryFigures[]): void {
  const f = (n: number) => n.toFixed(1);
  console.log('\nmemory after a restart on a SQLite file (same 510 live rules; fresh process each, after forced GC)');
  console.log(
    `    events   start ms   rss MB   heap MB   ${AS_OF_QUESTIONS} as-of in one request: ms   peak +rss MB   rss after MB   heap after MB`,
  );
  for (const m of figures)
    console.log(
      `  ${m.events.toLocaleString('en').padStart(8)} ${f(m.startMs).padStart(10)} ${f(m.rssMb).padStart(8)} ${f(m.heapMb).padStart(9)} ${f(m.asOf.ms).padStart(31)} ${f(m.asOf.peakRssMb).padStart(14)} ${f(m.asOf.rssAfterMb).padStart(14)} ${f(m.asOf.heapAfterMb).padStart(15)}`,
    );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [path, events] = process.argv.slice(2);
  if (path && events) console.log(JSON.stringify(await measureRestart(path, Number(events))));
  else await benchMemory();
}
