import { afterAll, beforeAll, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/eventstore/sqlite.js';
import { asAdmin, serviceEnv } from '../support/auth.js';
import { CLASSIFY, CREATE_PATTERN, EDIT_PATTERN, LIST_PATTERNS } from '../support/queries.js';
import { seededRandom } from '../support/random.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

/**
 * Random and malformed requests against the real HTTP API, bounded in count and time. Every answer
 * must be a well-formed GraphQL result or error, never a 500 or a dropped connection, and a rejected
 * request must leave the event log as it was.
 */
const MAX_REQUESTS = 1_500;
const MAX_MILLISECONDS = 60_000;
const SEED = Number(process.env.FUZZ_SEED ?? 20261128);

const scratch = scratchDir();
let service: ServiceProcess;

beforeAll(async () => {
  service = await startServiceProcess(serviceEnv(scratch.sqlitePath));
});

afterAll(async () => {
  await service?.stop();
  scratch.cleanup();
});

it('answers every fuzzed request well-formed, stays up, and rejected requests write nothing', async () => {
  const rand = seededRandom(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const int = (max: number) => Math.floor(rand() * max);

  const nasty = [
    '',
    ' ',
    '\u0000',
    '\u0007bell',
    'line\r\nbreak',
    '\u202eright-to-left',
    '😀 emoji 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
    'ä ö ü ß é 中文 العربية',
    '\ud800 lone surrogate',
    '(a+)+$',
    '[',
    '(?<=x)y',
    '\\1(a)',
    '.*'.repeat(300),
    "'; DROP TABLE events; --",
    '{{7*7}}',
    'x'.repeat(5_000),
    'y'.repeat(300_000),
  ];
  const anyValue = (): unknown =>
    pick([
      () => pick(nasty),
      () => int(2 ** 31) * (rand() < 0.5 ? -1 : 1),
      () => rand() * 1e300,
      () => null,
      () => rand() < 0.5,
      () => [pick(nasty), int(10)],
      () => ({ nested: { deeper: pick(nasty) } }),
      () => Array.from({ length: int(50) }, () => pick(nasty)),
    ])();

  let depth = '';
  for (let i = 0; i < 200; i++) depth += '{ a';
  const documents = [
    CREATE_PATTERN,
    EDIT_PATTERN,
    LIST_PATTERNS,
    CLASSIFY,
    'query($items: [ClassifyInput!]!) { classifyBatch(items: $items) { type } }',
  ];
  const mutate = (doc: string): string => {
    const at = int(doc.length);
    return pick([
      () => doc.slice(0, at),
      () => doc.slice(0, at) + pick(['{', '}', '(', ')', '$', '!', '@', '"', '#', '...', '\u0000']) + doc.slice(at),
      () => doc.slice(0, at) + doc.slice(at + 1 + int(10)),
      () => doc.replace(/\w+/, pick(nasty).slice(0, 50)),
    ])();
  };

  const fields = ['name', 'type', 'ispId', 'pattern', 'message', 'priority', 'enabled'];
  const randomInput = () =>
    Object.fromEntries(fields.filter(() => rand() < 0.8).map((f) => [f, rand() < 0.5 ? anyValue() : pick(nasty)]));

  const makeBody = (): { body: string; contentType: string } => {
    const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });
    return pick([
      () => ({
        body: pick([
          '{',
          '[]',
          'null',
          '"query"',
          '{"query": 1}',
          '\u0000\u0001',
          '{"query": "{ __typename }", "variables": "x"}',
        ]),
        contentType: 'application/json',
      }),
      () => json({ query: mutate(pick(documents)), variables: { input: randomInput() } }),
      () => json({ query: CREATE_PATTERN, variables: { input: randomInput() } }),
      () =>
        json({
          query: EDIT_PATTERN,
          variables: { id: pick(nasty), expectedVersion: anyValue(), input: randomInput() },
        }),
      () => json({ query: CLASSIFY, variables: { reply: pick(nasty), recipient: anyValue(), ispId: anyValue() } }),
      () =>
        json({
          query: documents[4],
          variables: { items: Array.from({ length: int(40) }, () => ({ reply: pick(nasty), recipient: anyValue() })) },
        }),
      () =>
        json({
          query: LIST_PATTERNS,
          variables: { filter: { search: anyValue(), type: anyValue() }, first: anyValue(), after: anyValue() },
        }),
      () => json({ query: depth }),
      () => json({ query: `{ ${Array.from({ length: int(200) }, (_, i) => `x${i}: __typename`).join(' ')} }` }),
      () => json({ query: pick(nasty) }),
      () => ({ body: 'query=%7B__typename%7D', contentType: 'application/x-www-form-urlencoded' }),
      () => ({
        body: pick(nasty),
        contentType: pick(['text/plain', 'application/json; charset=utf-16', 'multipart/form-data']),
      }),
    ])();
  };

  const store = new SqliteEventStore(scratch.sqlitePath);
  const counts = { requests: 0, ok: 0, rejected: 0, byStatus: {} as Record<number, number>, written: 0 };
  const started = Date.now();
  try {
    while (counts.requests < MAX_REQUESTS && Date.now() - started < MAX_MILLISECONDS) {
      const { body, contentType } = makeBody();
      const before = await store.headPosition();
      const response = await fetch(service.url, {
        method: 'POST',
        headers: { ...asAdmin, 'content-type': contentType },
        body,
      });
      counts.requests += 1;
      counts.byStatus[response.status] = (counts.byStatus[response.status] ?? 0) + 1;
      const text = await response.text();
      expect([200, 400, 413, 415], `status for ${body.slice(0, 300)}: ${text.slice(0, 300)}`).toContain(
        response.status,
      );
      let parsed: { data?: unknown; errors?: { message: unknown; extensions?: { code?: unknown } }[] };
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new Error(`not JSON (${response.status}) for ${body.slice(0, 200)}: ${text.slice(0, 200)}`);
      }
      expect(parsed.data !== undefined || parsed.errors !== undefined).toBe(true);
      for (const error of parsed.errors ?? []) {
        expect(typeof error.message).toBe('string');
        expect(typeof error.extensions?.code, JSON.stringify(error)).toBe('string');
        expect(error.extensions?.code).not.toBe('INTERNAL_SERVER_ERROR');
        expect(JSON.stringify(error)).not.toMatch(/\s+at \S+ \(/);
      }
      const after = await store.headPosition();
      if (parsed.errors?.length) {
        counts.rejected += 1;
        expect(after, `a rejected request wrote: ${body.slice(0, 200)}`).toBe(before);
      } else {
        counts.ok += 1;
        if (after !== before) counts.written += 1;
      }
    }
  } finally {
    await store.close();
  }
  const health = await fetch(new URL('/healthz', service.url));
  expect(health.status).toBe(200);
  console.log(`fuzz (seed ${SEED}): ${JSON.stringify(counts)} in ${Date.now() - started} ms`);
  expect(counts.requests).toBeGreaterThan(200);
}, 120_000);
