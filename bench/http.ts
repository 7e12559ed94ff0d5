import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../src/eventstore/sqlite.js';
import { generateCorpus } from './classify.js';
import { writeRules } from './rebuild.js';

export const ADMIN = `bp_bench_${'0'.repeat(32)}`;
const BATCH = 100;
const SECONDS = 3;
const CONNECTIONS = 8;
const ROUNDS = 5;

const CLASSIFY_BATCH = `query ClassifyBatch($items: [ClassifyInput!]!) {
  classifyBatch(items: $items) { type matchedBy message rulesetVersion pattern { patternId } }
}`;
const CLASSIFY = `query Classify($reply: String!, $recipient: String) {
  classify(reply: $reply, recipient: $recipient) { type matchedBy message rulesetVersion pattern { patternId } }
}`;

/** Writes the corpus's ISPs and rules into a fresh log through the deciders, as commands would. */
async function prepareLog(path: string, ruleCount: number) {
  const corpus = generateCorpus(ruleCount, 5_000, ruleCount);
  const store = new SqliteEventStore(path);
  await writeRules(store, corpus);
  await store.close();
  return corpus.requests;
}

/** Starts `script` as its own process; resolves with the URL it prints once `ready` matches its output. */
function startProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = ready.exec(out)?.[1];
      if (url) resolve({ url, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}: ${out}`)));
  });
}

/** The service as its own process on the SQLite file at `path`, in production mode. */
export const startService = (path: string) =>
  startProcess(
    [script('../src/main.js')],
    { ...process.env, PORT: '0', SQLITE_PATH: path, BOOTSTRAP_ADMIN_TOKEN: ADMIN, NODE_ENV: 'production' },
    /serving GraphQL on (\S+)/,
  );

export const script = (path: string) => new URL(path, import.meta.url).pathname;

async function post(url: string, token: string, query: string, variables: unknown): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

interface AutocannonResult {
  readonly requests: { readonly total: number };
  readonly duration: number;
  readonly non2xx: number;
  readonly errors: number;
}
interface AutocannonOptions {
  url: string;
  connections: number;
  duration: number;
  requests: { method: string; headers: Record<string, string>; setupRequest: (request: object) => object }[];
}
type Autocannon = (
  options: AutocannonOptions,
  done: (error: Error | null, result: AutocannonResult) => void,
) => { on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void };
// The load runs in this process, apart from both servers; autocannon ships CommonJS without types.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

interface Load {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

/**
 * `CONNECTIONS` keep-alive connections posting `bodies` in turn for `seconds`. Latencies are taken
 * from autocannon's response events: its histogram keeps whole milliseconds only.
 */
function load(url: string, bodies: readonly string[], headers: Record<string, string>, seconds = SECONDS) {
  let next = 0;
  const latencies: number[] = [];
  return new Promise<Load>((resolve, reject) => {
    const run = autocannon(
      {
        url,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }),
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error);
        if (result.non2xx > 0 || result.errors > 0)
          return reject(new Error(`${url}: ${result.non2xx} answers other than 2xx, ${result.errors} errors`));
        latencies.sort((a, b) => a - b);
        resolve({
          perSecond: result.requests.total / result.duration,
          p50: latencies[Math.floor(latencies.length * 0.5)]!,
          p99: latencies[Math.floor(latencies.length * 0.99)]!,
        });
      },
    );
    run.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * classify and classifyBatch over HTTP against the plain node:http JSON server around the same
 * matcher, built from the same log: both servers and the load are separate processes, measured in
 * turns within one run, `ROUNDS` times, so that the ratios compare like with like on a noisy machine.
 */
export async function benchHttp(ruleCount = 1_000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bounce-bench-'));
  const path = join(dir, 'events.sqlite');
  const stops: (() => void)[] = [];
  try {
    const requests = (await prepareLog(path, ruleCount)).map(({ reply, recipient }) => ({ reply, recipient }));
    const service = await startService(path);
    stops.push(service.stop);
    const mta = (
      await post(
        service.url,
        ADMIN,
        'mutation { createApiToken(input: { name: "bench mta", role: MTA }) { secret } }',
        {},
      )
    ).createApiToken.secret as string;
    // Started once the service has installed the defaults: the same rules.
    const plain = await startProcess([script('./plainServer.js'), path], process.env, /plain JSON server on (\S+)/);
    stops.push(plain.stop);
    const batches = Array.from({ length: 50 }, (_, b) =>
      Array.from({ length: BATCH }, (_, i) => requests[(b * BATCH + i) % requests.length]!),
    );
    const kinds = [
      {
        name: 'classify, one reply a request',
        size: 1,
        graphql: requests.map((variables) => JSON.stringify({ query: CLASSIFY, variables })),
        plain: { url: `${plain.url}/classify`, bodies: requests.map((request) => JSON.stringify(request)) },
      },
      {
        name: `classifyBatch of ${BATCH}`,
        size: BATCH,
        graphql: batches.map((items) => JSON.stringify({ query: CLASSIFY_BATCH, variables: { items } })),
        plain: { url: `${plain.url}/classifyBatch`, bodies: batches.map((items) => JSON.stringify({ items })) },
      },
    ];
    const auth = { authorization: `Bearer ${mta}` };

    // Both answer the same verdicts (the ruleset version aside: the plain server built its matcher after
    // the token's event, the service before it).
    const verdict = ({ rulesetVersion: _, ...rest }: Record<string, unknown>) => JSON.stringify(rest);
    for (const request of requests.slice(0, 20)) {
      const viaGraphQL = verdict((await post(service.url, mta, CLASSIFY, request)).classify);
      const response = await fetch(`${plain.url}/classify`, { method: 'POST', body: JSON.stringify(request) });
      const viaPlain = verdict((await response.json()) as Record<string, unknown>);
      if (viaGraphQL !== viaPlain) throw new Error(`the servers disagree: ${viaGraphQL} vs ${viaPlain}`);
    }

    console.log(
      `\nclassify over HTTP: bounce-patterns (production mode) vs a plain node:http JSON server around the same matcher` +
        `\n(${ruleCount} rules + defaults, replies as variables, ${CONNECTIONS} keep-alive connections from autocannon in` +
        ` the bench process, ${SECONDS} s per measure, ${ROUNDS} rounds taken in turns)`,
    );
    for (const kind of kinds) {
      await load(service.url, kind.graphql, auth, 1);
      await load(kind.plain.url, kind.plain.bodies, {}, 1);
      const rows = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Alternate which server goes first, so a drift in the machine's load favours neither.
        const measure = async () => [
          await load(service.url, kind.graphql, auth),
          await load(kind.plain.url, kind.plain.bodies, {}),
        ];
        let graphql: Load;
        let base: Load;
        if (round % 2 === 0) [graphql, base] = await measure();
        else {
          base = await load(kind.plain.url, kind.plain.bodies, {});
          graphql = await load(service.url, kind.graphql, auth);
        }
        rows.push({ graphql: graphql!, base: base! });
      }
      const ratios = rows.map(({ graphql, base }) => graphql.perSecond / base.perSecond);
      console.log(`\n${kind.name}: replies/s; latency of one request in ms`);
      console.table(
        rows.map(({ graphql, base }, round) => ({
          round: round + 1,
          'bounce-patterns /s': Math.round(graphql.perSecond * kind.size),
          'p50 ms': graphql.p50.toFixed(2),
          'p99 ms': graphql.p99.toFixed(2),
          'plain /s': Math.round(base.perSecond * kind.size),
          'plain p50 ms': base.p50.toFixed(2),
          'plain p99 ms': base.p99.toFixed(2),
          ratio: `${(ratios[round]! * 100).toFixed(0)}%`,
        })),
      );
      console.log(
        `${kind.name}: ratio median ${(median(ratios) * 100).toFixed(0)}%, ` +
          `range ${(Math.min(...ratios) * 100).toFixed(0)}–${(Math.max(...ratios) * 100).toFixed(0)}%`,
      );
    }
  } finally {
    for (const stop of stops) stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
