import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from '../src/app/app.js';
import { classifyBounceMessage } from '../src/app/bounceMessages.js';
import { MESSAGE_LIMITS, parseBounceMessage } from '../src/domain/bounceMessage/parse.js';
import { MemoryEventStore } from '../src/eventstore/memory.js';
import { ADMIN, startService as startServer } from './http.js';

const SECONDS = 5;
const CLIENTS = 4;
const FIXTURES = new URL('../../test/fixtures/bounces/', import.meta.url);
const CLASSIFY_MESSAGE = `query ClassifyMessage($message: String!) {
  classifyMessage(message: $message) { isBounce format recipients { recipient status classification { type matchedBy } } }
}`;

function post(url: string, token: string, query: string, variables: unknown, via: Agent): Promise<any> {
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
async function load(seconds: number, clients: number, send: (i: number) => Promise<unknown>) {
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

/** A DSN as big as classifyMessage takes: the report, then a returned original of about 500 KiB. */
function largestBounce(corpus: readonly string[]): string {
  const dsn = corpus.find((message) => message.includes('message/rfc822'))!;
  const cut = dsn.lastIndexOf('\n--');
  const filler = `${'x'.repeat(76)}\n`.repeat(Math.floor((MESSAGE_LIMITS.bytes - dsn.length - 1_000) / 77));
  return `${dsn.slice(0, cut)}\n${filler}${dsn.slice(cut)}`;
}

/** classifyMessage in process (parse alone, parse and classify) and over HTTP, on the corpus of real bounces. */
export async function benchClassifyMessage(): Promise<void> {
  const corpus = readdirSync(FIXTURES)
    .filter((name) => name.endsWith('.eml'))
    .map((name) => readFileSync(new URL(name, FIXTURES), 'utf8'));
  const app = new App(new MemoryEventStore(), { bootstrapAdminToken: ADMIN });
  await app.start();
  const parse = await load(SECONDS, 1, (i) => parseBounceMessage(corpus[i % corpus.length]!));
  const whole = await load(SECONDS, 1, (i) => classifyBounceMessage(app.classifier, corpus[i % corpus.length]!));
  const largest = largestBounce(corpus);
  const largestTimes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const started = performance.now();
    await classifyBounceMessage(app.classifier, largest);
    largestTimes.push(performance.now() - started);
  }
  largestTimes.sort((a, b) => a - b);
  await app.stop();

  const dir = mkdtempSync(join(tmpdir(), 'bounce-bench-'));
  const server = await startServer(join(dir, 'events.sqlite'));
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  try {
    const mta = (
      await post(
        server.url,
        ADMIN,
        'mutation { createApiToken(input: { name: "bench", role: MTA }) { secret } }',
        {},
        agent,
      )
    ).createApiToken.secret as string;
    const send = (i: number) => post(server.url, mta, CLASSIFY_MESSAGE, { message: corpus[i % corpus.length] }, agent);
    await load(1, CLIENTS, send);
    const http = await load(SECONDS, CLIENTS, send);

    const rate = (r: { requests: number }) => Math.round(r.requests / SECONDS);
    console.log(
      `\nclassifyMessage (${corpus.length} real bounces of test/fixtures/bounces in turn, ${SECONDS} s each; HTTP: ${CLIENTS} clients)`,
    );
    console.table([
      {
        path: 'in process: parse only',
        'messages/s': rate(parse),
        'p50 ms': parse.p50.toFixed(3),
        'p99 ms': parse.p99.toFixed(3),
      },
      {
        path: 'in process: parse and classify',
        'messages/s': rate(whole),
        'p50 ms': whole.p50.toFixed(3),
        'p99 ms': whole.p99.toFixed(3),
      },
      {
        path: 'HTTP: classifyMessage',
        'messages/s': rate(http),
        'p50 ms': http.p50.toFixed(3),
        'p99 ms': http.p99.toFixed(3),
      },
    ]);
    console.log(
      `largest message taken (${Buffer.byteLength(largest)} bytes, a DSN returning a big original): median ${largestTimes[10]!.toFixed(1)} ms, worst ${largestTimes.at(-1)!.toFixed(1)} ms of the event loop`,
    );
  } finally {
    agent.destroy();
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
