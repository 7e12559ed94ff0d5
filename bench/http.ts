import { spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../src/app/app.js';
import { handleCommand } from '../src/app/commandHandler.js';
import { bouncePatternDecider } from '../src/domain/bouncePattern.js';
import { ispDecider } from '../src/domain/isp.js';
import { SYSTEM_ACTOR } from '../src/domain/types.js';
import { bouncePatternStream, ispStream } from '../src/domain/streams.js';
import { SqliteEventStore } from '../src/eventstore/sqlite.js';
import type { ClassifyRequest } from '../projections/matcher.js';
import { generateCorpus } from './classify.js';

export const ADMIN = `bp_bench_${'0'.repeat(32)}`;
const BATCH = 100;
const SECONDS = 5;
const CLIENTS = 4;

const CLASSIFY_BATCH = `query ClassifyBatch($items: [ClassifyInput!]!) {
  classifyBatch(items: $items) { type matchedBy message rulesetVersion pattern { id } }
}`;
const CLASSIFY = `query Classify($reply: String!, $recipient: String) {
  classify(reply: $reply, recipient: $recipient) { type matchedBy message rulesetVersion pattern { id } }
}`;

/** Writes the corpus's ISPs and rules into a fresh log through the deciders, as commands would. */
async function prepareLog(path: string, ruleCount: number) {
  const corpus = generateCorpus(ruleCount, 5_000, ruleCount);
  const store = new SqliteEventStore(path);
  const clock = () => new Date();
  for (const { id, ...fields } of corpus.isps)
    await handleCommand(
      store,
      ispDecider,
      ispStream(id),
      { type: 'CreateIsp', ispId: id, origin: 'CUSTOM', fields },
      { actor: SYSTEM_ACTOR },
      clock,
    );
  for (const { id, createdPosition: _, ...fields } of corpus.rules)
    await handleCommand(
      store,
      bouncePatternDecider,
      bouncePatternStream(id),
      { type: 'CreateBouncePattern', patternId: id, origin: 'CUSTOM', fields },
      { actor: SYSTEM_ACTOR },
      clock,
    );
  await store.close();
  return corpus.requests;
}

export function startServer(path: string): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, [new URL('../src/main.js', import.meta.url).pathname], {
    env: { ...process.env, PORT: '0', SQLITE_PATH: path, BOOTSTRAP_ADMIN_TOKEN: ADMIN, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const url = /serving GraphQL on (\S+)/.exec(out)?.[1];
      if (url) resolve({ url, stop: () => child.kill('SIGTERM') });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

// node:http with keep-alive: a lighter client than fetch, so the figures measure the server more than the client.
const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

export function post(url: string, token: string, query: string, variables: unknown, via: Agent = agent): Promise<any> {
  const payload = JSON.stringify({ query, variables });
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      agent: via,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(payload),
        authorization: `Bearer ${token}`,
      },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString()) as { data?: unknown; errors?: unknown };
        if (body.errors) reject(new Error(JSON.stringify(body.errors)));
        else resolve(body.data);
      });
    });
    req.end(payload);
  });
}

/** `clients` loops sending requests for `seconds`; returns requests done and their latencies (ms). */
export async function load(seconds: number, clients: number, send: (i: number) => Promise<unknown>) {
  const latencies: number[] = [];
  const until = performance.now() + seconds * 1_000;
  let n = 0;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const started = performance.now();
        await send(n++);
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    p50: latencies[Math.floor(latencies.length / 2)]!,
    p99: latencies[Math.floor(latencies.length * 0.99)]!,
  };
}

/** classifyBatch and classify over real HTTP beside the same rules classified in process, in one run. */
export async function benchHttp(ruleCount = 1_000): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bounce-bench-'));
  const path = join(dir, 'events.sqlite');
  try {
    const requests = await prepareLog(path, ruleCount);
    const server = await startServer(path);
    try {
      const mta = (
        await post(
          server.url,
          ADMIN,
          'mutation { createApiToken(input: { name: "bench mta", role: MTA }) { secret } }',
          {},
        )
      ).createApiToken.secret as string;
      const batches = Array.from({ length: 50 }, (_, b) =>
        Array.from({ length: BATCH }, (_, i): ClassifyRequest => requests[(b * BATCH + i) % requests.length]!),
      );

      // The same log, the same rules, classified in this process.
      const app = new App(new SqliteEventStore(path), { seed: false });
      await app.start();
      for (let i = 0; i < 20; i++) await app.classifier.classifyBatch(batches[i % batches.length]!);
      const inProcess = await load(SECONDS, 1, async (i) => app.classifier.classifyBatch(batches[i % batches.length]!));
      await app.stop();

      await load(1, CLIENTS, (i) => post(server.url, mta, CLASSIFY_BATCH, { items: batches[i % batches.length] }));
      const batchHttp = await load(SECONDS, CLIENTS, (i) =>
        post(server.url, mta, CLASSIFY_BATCH, { items: batches[i % batches.length] }),
      );
      const singleHttp = await load(SECONDS, CLIENTS, (i) =>
        post(server.url, mta, CLASSIFY, requests[i % requests.length]!),
      );

      const perSecond = (r: { requests: number }, size: number) => (r.requests * size) / SECONDS;
      const inProcessRate = perSecond(inProcess, BATCH);
      console.log(
        `\nclassify over HTTP (${ruleCount} rules + defaults, batches of ${BATCH} as variables, ${CLIENTS} clients, ${SECONDS} s each)`,
      );
      console.table([
        {
          path: 'in process: classifyBatch',
          'classifications/s': Math.round(inProcessRate),
          'p50 ms/request': inProcess.p50.toFixed(2),
          'p99 ms/request': inProcess.p99.toFixed(2),
          'vs in process': '1.00',
        },
        ...[
          ['HTTP: classifyBatch', batchHttp, BATCH],
          ['HTTP: classify (one reply a request)', singleHttp, 1],
        ].map(([name, r, size]) => ({
          path: name as string,
          'classifications/s': Math.round(perSecond(r as typeof batchHttp, size as number)),
          'p50 ms/request': (r as typeof batchHttp).p50.toFixed(2),
          'p99 ms/request': (r as typeof batchHttp).p99.toFixed(2),
          'vs in process': (perSecond(r as typeof batchHttp, size as number) / inProcessRate).toFixed(2),
        })),
      ]);
    } finally {
      agent.destroy();
      server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
