import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, serviceEnv } from '../support/auth.js';
import { gqlData } from '../support/graphqlClient.js';
import { logHead } from '../support/log.js';
import { CREATE_TOKEN } from '../support/queries.js';
import { seededRandom } from '../support/random.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';
import { bestOfThree, watched } from '../support/watch.js';

/**
 * Request shapes an attacker would try (fragments, repetition, nesting, aliases, directives,
 * variables, introspection), at random sizes around the limits, from every kind of caller, against a
 * warm server in development mode (introspection on: the most open configuration). Each case must be
 * answered or refused within the budget, with /healthz answering meanwhile, no 500, nothing written.
 * The longest /healthz wait over the run (the longest event-loop pause a client saw) is printed.
 */
const CASES = Number(process.env.SHAPES_CASES ?? 300);
const SEED = Number(process.env.SHAPES_SEED ?? 20261201);
const BUDGET_MS = 100;

const scratch = scratchDir();
let service: ServiceProcess;
const callers: Record<string, Record<string, string>> = { anonymous: {} };

beforeAll(async () => {
  service = await startServiceProcess(serviceEnv(scratch.sqlitePath, { NODE_ENV: 'development' }));
  callers.admin = bearer(serviceEnv('').BOOTSTRAP_ADMIN_TOKEN!);
  for (const role of ['viewer', 'mta']) {
    const created = await gqlData(service.url, CREATE_TOKEN, { input: { name: role, role: role.toUpperCase() } });
    callers[role] = bearer(created.createApiToken.secret);
  }
});

afterAll(async () => {
  await service?.stop();
  scratch.cleanup();
});

type Shape = { query: string; variables?: Record<string, unknown> };

it('answers every request shape within its budget, /healthz answering meanwhile', async () => {
  const rand = seededRandom(SEED);
  const int = (max: number) => Math.floor(rand() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  // Sizes cluster around the limits (50 fragments, 500 fields, 30 aliases, depth 10, 5,000 tokens).
  const size = () => pick([1, 2, 5, 10, 20, 29, 31, 45, 50, 51, 100, 250, 499, 501, 1_000, 2_500, 6_000]);
  const list = (n: number, item: (i: number) => string) => Array.from({ length: n }, (_, i) => item(i)).join(' ');
  const leaf = () => pick(['__typename', 'classify(reply: "550 x") { type }', 'isps(first: 2) { totalCount }']);

  const shapes: (() => Shape)[] = [
    // Fragments: chains, doubling, fan-out, diamonds, cycles, unknown names.
    () => {
      const n = size();
      const fragments = list(
        n,
        (i) => `fragment F${i} on Query { a${i % 25}: __typename ${i + 1 < n ? `...F${i + 1}` : ''} }`,
      );
      return { query: `{ ...F0 } ${fragments}` };
    },
    () => {
      const n = Math.min(size(), 60);
      const fragments = list(n, (i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
      return { query: `{ ...F0 } ${fragments} fragment F${n} on Query { ${leaf()} }` };
    },
    () => {
      const n = size();
      return { query: `{ ${list(n, (i) => `...F${i}`)} } ${list(n, (i) => `fragment F${i} on Query { ${leaf()} }`)}` };
    },
    () => ({ query: `{ ...A } fragment A on Query { ...B } fragment B on Query { ...${pick(['A', 'C', 'B'])} }` }),
    () => ({ query: `{ ${list(size(), () => '...F')} } fragment F on Query { ${leaf()} }` }),
    // Repetition: one field many times, with and without arguments, nested.
    () => ({ query: `{ ${list(size(), () => leaf())} }` }),
    () => ({ query: `{ classify(reply: "x") { ${list(size(), () => 'type')} } }` }),
    () => ({ query: `{ ${list(size(), (i) => `classify(reply: "x${i}") { type }`)} }` }),
    // Nesting: real fields as deep as the schema allows, and bogus ones.
    () => {
      const levels = size();
      let inner = 'id';
      for (let i = 0; i < levels; i++) inner = `patterns { isp { ${inner} } }`;
      return { query: `{ isps(first: 1) { edges { node { ${inner} } } } }` };
    },
    () => ({ query: `${'{ a '.repeat(size())}${'}'.repeat(size())}` }),
    () => ({ query: `{ ${'... on Query { '.repeat(size())} __typename ${'}'.repeat(size())} }` }),
    // Aliases, each with other arguments.
    () => ({ query: `{ ${list(size(), (i) => `a${i}: bouncePatterns(first: ${int(600)}) { totalCount }`)} }` }),
    // Directives, repeated.
    () => ({ query: `{ __typename ${list(size(), () => '@skip(if: false)')} }` }),
    () => ({ query: `{ ${list(size(), (i) => `t${i % 40}: __typename @include(if: true)`)} }` }),
    // Variables: many, huge, of the wrong type, and costs that depend on them.
    () => {
      const n = size();
      return { query: `query(${list(n, (i) => `$v${i}: Int`)}) { __typename }`, variables: {} };
    },
    () => ({
      query: 'query($n: Int) { bouncePatterns(first: $n) { edges { node { id isp { patterns { id } } } } } }',
      variables: { n: pick([1, 50, 499, 500, 501, -1, 2 ** 31, 'many', null, [1, 2], { n: 1 }]) },
    }),
    () => ({
      query: 'query($items: [ClassifyInput!]!) { classifyBatch(items: $items) { type pattern { id name } } }',
      variables: { items: Array.from({ length: pick([0, 1, 100, 1_000, 1_001]) }, (_, i) => ({ reply: `550 ${i}` })) },
    }),
    () => ({
      query: 'query($r: String!) { classify(reply: $r) { isp { patterns { pattern } } pattern { pattern } } }',
      variables: { r: '550 5.1.1 user unknown' },
    }),
    // Introspection: nested lists, long ofType chains, repeated.
    () => {
      let inner = 'name';
      for (let i = 0; i < Math.min(size(), 200); i++)
        inner =
          pick(['fields', 'types', 'args']) === 'args' ? `args { type { ${inner} } }` : `fields { type { ${inner} } }`;
      return { query: `{ __schema { types { ${inner} } } }` };
    },
    () => ({ query: `{ __type(name: "Query") { ${'ofType { '.repeat(size())}name${' }'.repeat(size())} } }` }),
    () => ({ query: `{ ${list(size(), (i) => `s${i % 35}: __schema { types { name } }`)} }` }),
    // Mutations that are refused (nothing to write).
    () => ({
      query: `mutation { ${list(size(), (i) => `r${i % 35}: revokeApiToken(id: "none-${i}") { token { id } }`)} }`,
    }),
  ];

  const counts = { cases: 0, answered: 0, refused: {} as Record<string, number> };
  let longestHealthz = 0;
  let longestServer = 0;
  const started = Date.now();
  const head = await logHead(scratch.sqlitePath);
  // Warm: the first requests compile what later ones reuse.
  for (let i = 0; i < 20; i++) await watched(service.url, { body: JSON.stringify({ query: '{ __typename }' }) });

  for (let i = 0; i < CASES; i++) {
    const shape = pick(shapes)();
    const caller = pick(Object.keys(callers));
    const body = JSON.stringify(shape);
    const answer = await bestOfThree(() => watched(service.url, { headers: callers[caller], body }), BUDGET_MS);
    const what = `${caller}: ${shape.query.slice(0, 160)}`;
    expect(answer.status, what).toBeLessThan(500);
    expect(answer.body, `${what} → ${answer.text.slice(0, 200)}`).toBeDefined();
    for (const error of answer.body.errors ?? []) {
      expect(typeof error.extensions?.code, what).toBe('string');
      expect(error.extensions.code, what).not.toBe('INTERNAL_SERVER_ERROR');
    }
    expect(answer.serverMs, `server time for ${what}`).toBeLessThan(BUDGET_MS);
    expect(answer.healthzMs, `/healthz wait during ${what}`).toBeLessThan(BUDGET_MS);
    longestHealthz = Math.max(longestHealthz, answer.healthzMs);
    longestServer = Math.max(longestServer, answer.serverMs);
    counts.cases += 1;
    const code = answer.body.errors?.[0]?.extensions?.code;
    if (code) counts.refused[code] = (counts.refused[code] ?? 0) + 1;
    else counts.answered += 1;
  }
  expect(await logHead(scratch.sqlitePath)).toBe(head);
  console.log(
    `request shapes (seed ${SEED}): ${JSON.stringify(counts)} in ${Date.now() - started} ms; ` +
      `longest server time ${longestServer.toFixed(1)} ms, longest /healthz wait (event-loop pause seen) ${longestHealthz.toFixed(1)} ms`,
  );
}, 180_000);
