import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, bearer, serviceEnv } from '../support/auth.js';
import { gqlData } from '../support/graphqlClient.js';
import { logHead } from '../support/log.js';
import { CREATE_TOKEN } from '../support/queries.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';
import { bestOfThree, type Watched, watched } from '../support/watch.js';

/**
 * The attacks of issue 18, from outside, against a production-mode server: each one is answered or
 * refused with its own code within the time budget, /healthz keeps answering meanwhile, and the log
 * is left as it was.
 */
const BUDGET_MS = 100;

const scratch = scratchDir();
let service: ServiceProcess;
const tokens: Record<'viewer' | 'editor' | 'mta', Record<string, string>> = { viewer: {}, editor: {}, mta: {} };

beforeAll(async () => {
  service = await startServiceProcess(serviceEnv(scratch.sqlitePath, { NODE_ENV: 'production' }));
  for (const role of ['viewer', 'editor', 'mta'] as const) {
    const created = await gqlData(service.url, CREATE_TOKEN, { input: { name: role, role: role.toUpperCase() } });
    tokens[role] = bearer(created.createApiToken.secret);
  }
  // Warm: the first requests compile code paths that later ones reuse.
  for (let i = 0; i < 20; i++) await attack('{ __typename }', tokens.viewer);
});

afterAll(async () => {
  await service?.stop();
  scratch.cleanup();
});

async function attack(query: string, headers: Record<string, string> = {}, variables = {}): Promise<Watched> {
  return watched(service.url, { headers, body: JSON.stringify({ query, variables }) });
}

/** Sends the attack; asserts the time budget, no 500, an unchanged log; returns the answer's first error code. */
async function withinBudget(query: string, headers: Record<string, string> = {}, variables = {}) {
  const head = await logHead(scratch.sqlitePath);
  const answer = await bestOfThree(() => attack(query, headers, variables), BUDGET_MS);
  expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500);
  expect(answer.serverMs, 'server time').toBeLessThan(BUDGET_MS);
  expect(answer.healthzMs, '/healthz wait meanwhile').toBeLessThan(BUDGET_MS);
  expect(await logHead(scratch.sqlitePath)).toBe(head);
  return { code: answer.body?.errors?.[0]?.extensions?.code as string | undefined, answer };
}

const repeat = (n: number, text: string) => Array.from({ length: n }, () => text).join(' ');

/** `count` fragments, each spreading the next twice: naive depth walks double with each one. */
function fragmentDoubling(count: number): string {
  let document = '{ ...F0 }\n';
  for (let i = 0; i < count; i++) document += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }\n`;
  return `${document}fragment F${count} on Query { __typename }`;
}

/** A chain of `count` fragments, each selecting classify and spreading the next. */
function fragmentChain(count: number): string {
  let document = '{ ...F0 }\n';
  for (let i = 0; i < count; i++)
    document += `fragment F${i} on Query { c${i}: __typename ${i + 1 < count ? `...F${i + 1}` : ''} }\n`;
  return document;
}

describe('without a token, nothing costly is done', () => {
  const bombs: [string, string][] = [
    ['22 doubling fragments (1 KB)', fragmentDoubling(22)],
    ['2,000 copies of classify (63 KB)', `{ ${repeat(2_000, 'classify(reply:"x"){type}')} }`],
    ['40,000 __typename', `{ ${repeat(40_000, '__typename')} }`],
    ['a 5,000-fragment chain (169 KB)', fragmentChain(5_000)],
  ];
  for (const [name, query] of bombs)
    it(`${name}: UNAUTHENTICATED`, async () => {
      const { code, answer } = await withinBudget(query);
      expect(code).toBe('UNAUTHENTICATED');
      expect(answer.status).toBe(401);
    });

  it('and with a token, each of them is refused by a bound of its own', async () => {
    const codes = [];
    for (const [, query] of bombs) codes.push((await withinBudget(query, tokens.viewer)).code);
    expect(codes).toEqual(['QUERY_TOO_COMPLEX', 'DOCUMENT_TOO_LARGE', 'DOCUMENT_TOO_LARGE', 'DOCUMENT_TOO_LARGE']);
  });
});

describe('with a token, each bound is refused with its own code', () => {
  it('fragment doubling is walked once per fragment: a few are answered, many refused at once', async () => {
    const { code, answer } = await withinBudget(fragmentDoubling(10), tokens.viewer);
    expect(code).toBeUndefined();
    expect(answer.body.data).toEqual({ __typename: 'Query' });
    // Its cost doubles with each fragment, and is computed without walking the doubled tree.
    const refused = await withinBudget(fragmentDoubling(28), tokens.viewer);
    expect(refused.code).toBe('QUERY_TOO_COMPLEX');
    expect(refused.answer.body.errors[0].extensions.actual).toBe(2 ** 28);
  });

  it('repeated fields', async () => {
    const { code, answer } = await withinBudget(`{ ${repeat(100, 'classify(reply:"x"){type}')} }`, tokens.viewer);
    expect(code).toBe('TOO_MANY_REPEATED_FIELDS');
    expect(answer.body.errors[0].extensions).toMatchObject({ limit: 1_500, actual: 100 * 100 + 100 * 100 });
  });

  it('document size, tokens and fields', async () => {
    expect((await withinBudget(`{ ${repeat(2_000, 'classify(reply:"x"){type}')} }`, tokens.viewer)).code).toBe(
      'DOCUMENT_TOO_LARGE',
    );
    expect((await withinBudget(`{ ${repeat(6_000, 'a')} }`, tokens.viewer)).code).toBe('TOO_MANY_TOKENS');
    const fields = Array.from({ length: 501 }, (_, i) => `f${i}`).join(' ');
    expect((await withinBudget(`{ ${fields} }`, tokens.viewer)).code).toBe('TOO_MANY_FIELDS');
  });

  it('fragments', async () => {
    expect((await withinBudget(fragmentChain(25), tokens.viewer)).code).toBeUndefined();
    expect((await withinBudget(fragmentChain(31), tokens.viewer)).code).toBe('TOO_MANY_FRAGMENTS');
  });

  it('the cost limit fails closed: padding no longer hides a costly query', async () => {
    // Each pattern's history is costed as a full page: 500 patterns of it are far over the limit.
    const costly = '{ bouncePatterns(first: 500) { edges { node { history { position eventType } } } } }';
    expect((await withinBudget(costly, asAdmin)).code).toBe('QUERY_TOO_COMPLEX');
    const padded = `{ ${repeat(2_000, '__typename')} ${costly.slice(1)}`;
    expect((await withinBudget(padded, asAdmin)).code).toBe('TOO_MANY_FIELDS');
    // A cost that cannot be known from the variables is costed at its worst, not skipped.
    const variable = 'query($n: Int) { bouncePatterns(first: $n) { edges { node { history { position } } } } }';
    expect((await withinBudget(variable, asAdmin, { n: 'many' })).code).toBe('QUERY_TOO_COMPLEX');
  });

  it('depth, and introspection is off in production', async () => {
    const deep =
      '{ isps(first: 1) { edges { node { patterns { isp { patterns { isp { patterns { isp { patterns { id } } } } } } } } } } }';
    expect((await withinBudget(deep, tokens.viewer)).code).toBe('QUERY_TOO_DEEP');
    const nested = `{ ${'... on Query { '.repeat(500)} __typename ${'}'.repeat(500)} }`;
    expect((await withinBudget(nested, tokens.viewer)).code).toBe('SELECTIONS_TOO_NESTED');
    const introspection = await withinBudget(getIntrospectionQuery(), tokens.viewer);
    expect(introspection.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('nothing leaks', () => {
  it('an MTA token cannot read the rules through classify', async () => {
    const reply = { r: '550 5.1.1 The email account that you tried to reach does not exist' };
    for (const probe of [
      'query($r: String!) { classify(reply: $r, recipient: "x@gmail.com") { pattern { pattern priority } } }',
      'query($r: String!) { classify(reply: $r, recipient: "x@gmail.com") { isp { domains } } }',
    ]) {
      const { code, answer } = await withinBudget(probe, tokens.mta, reply);
      expect(code).toBe('FORBIDDEN');
      expect(answer.status).toBe(403);
      expect(answer.body.data).toBeUndefined();
    }
    // The verdict's pattern is a revision: the ISP's list of rules is not reachable from it at all.
    const rules = 'query($r: String!) { classify(reply: $r) { isp { patterns { pattern } } } }';
    expect((await withinBudget(rules, tokens.mta, reply)).code).toBe('GRAPHQL_VALIDATION_FAILED');
    // What traces the verdict stays readable.
    const verdict = `query($r: String!) { classify(reply: $r, recipient: "x@gmail.com") {
      type pattern { id patternId version name type message } isp { id ispId version name } } }`;
    const traced = await withinBudget(verdict, tokens.mta, reply);
    expect(traced.code).toBeUndefined();
    expect(traced.answer.body.data.classify.pattern.patternId).toBeTruthy();
  });

  it('no schema suggestions in production', async () => {
    const { code, answer } = await withinBudget('{ classifi(reply: "x") { type } }', tokens.viewer);
    expect(code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(answer.text).not.toMatch(/Did you mean/);
  });

  it('GET // and other odd targets answer 4xx, not 500', async () => {
    for (const path of ['//', '//graphql', '/%zz', '/graphql?query=%7B']) {
      const answer = await watched(service.url, { method: 'GET', path });
      expect(answer.status, path).toBeGreaterThanOrEqual(400);
      expect(answer.status, path).toBeLessThan(500);
    }
  });
});

describe('in development, the explorer may introspect before sign-in, within bounds', () => {
  let dev: ServiceProcess;
  beforeAll(async () => {
    dev = await startServiceProcess(serviceEnv(scratch.sqlitePath, { PORT: '0', NODE_ENV: 'development' }));
  });
  afterAll(async () => {
    await dev?.stop();
  });

  const anonymous = async (query: string) => {
    const answer = await watched(dev.url, { body: JSON.stringify({ query }) });
    expect(answer.status).toBeLessThan(500);
    return { code: answer.body?.errors?.[0]?.extensions?.code as string | undefined, answer };
  };

  it("the explorer's introspection query passes without a token", async () => {
    const { code, answer } = await anonymous(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true }));
    expect(code).toBeUndefined();
    expect(answer.body.data.__schema.queryType.name).toBe('Query');
  });

  it('anything else without a token is refused before it is validated', async () => {
    for (const query of [
      '{ __typename classify(reply: "x") { type } }',
      '{ ... on Query { classify(reply: "x") { type } } }',
      '{ __schema { queryType { name } } } mutation { revokeApiToken(id: "x") { token { id } } }',
      fragmentDoubling(22),
    ])
      expect((await anonymous(query)).code, query).toBe('UNAUTHENTICATED');
  });

  it('introspection that multiplies its answer, or is long, is refused', async () => {
    const nested = '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }';
    expect((await anonymous(nested)).code).toBe('INTROSPECTION_TOO_DEEP');
    expect((await anonymous(`{ ${repeat(1_001, '__typename')} }`)).code).toBe('TOO_MANY_TOKENS');
    // The whole schema is the largest answer there is: it is given once per request.
    const twice = '{ a: __schema { types { name fields { name } } } b: __schema { types { name fields { name } } } }';
    expect((await anonymous(twice)).code).toBe('INTROSPECTION_REPEATED');
  });
});

describe('no pattern an editor can save stalls classify', () => {
  const save = (pattern: string) =>
    attack(
      'mutation($input: CreateBouncePatternInput!) { createBouncePattern(input: $input) { pattern { id version } } }',
      tokens.editor,
      { input: { name: `costly ${pattern.length}`, type: 'BOUNCE', pattern, message: 'm' } },
    );
  const longReplies = (n: number) => Array.from({ length: n }, () => 'a '.repeat(2_048));

  it('a pattern whose compiled program is over the budget is refused, saying why, and nothing is written', async () => {
    const head = await logHead(scratch.sqlitePath);
    const refused = await save('(\\w+\\s*){1000}');
    expect(refused.body.errors[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'pattern' });
    expect(refused.body.errors[0].message).toMatch(/over the budget of 2000.*\{1000\}/);
    expect(refused.serverMs).toBeLessThan(BUDGET_MS);
    expect(await logHead(scratch.sqlitePath)).toBe(head);
    const query = 'query($p: String!, $s: [String!]!) { testPattern(pattern: $p, samples: $s) { trials { matches } } }';
    const tried = await withinBudget(query, tokens.editor, { p: '(\\w+\\s*){1000}', s: longReplies(100) });
    expect(tried.code).toBe('BAD_USER_INPUT');
  });

  it('the largest pattern under the budget, tried on every reply, keeps batches of maximal replies in budget', async () => {
    // No literal text to index, so the matcher runs it on every reply; it never matches, so RE2 reads
    // each reply to its end.
    const largest = `${'(\\w+\\s*)'.repeat(120)}[%]`;
    const saved = await save(largest);
    expect(saved.body.errors).toBeUndefined();
    const batch = 'query($items: [ClassifyInput!]!) { classifyBatch(items: $items) { type matchedBy } }';
    const items = longReplies(100).map((reply) => ({ reply }));
    const classified = await withinBudget(batch, tokens.mta, { items });
    console.log(`classifyBatch of 100 maximal replies with the largest pattern: ${classified.answer.serverMs} ms`);
    expect(classified.code).toBeUndefined();
    expect(classified.answer.body.data.classifyBatch).toHaveLength(100);
    const query = 'query($p: String!, $s: [String!]!) { testPattern(pattern: $p, samples: $s) { trials { matches } } }';
    const tried = await withinBudget(query, tokens.editor, { p: largest, s: longReplies(100) });
    expect(tried.code).toBeUndefined();
    expect(tried.answer.body.data.testPattern.trials).toHaveLength(100);
    const { id, version } = saved.body.data.createBouncePattern.pattern;
    await gqlData(
      service.url,
      'mutation($id: ID!, $v: Int!) { deleteBouncePattern(id: $id, expectedVersion: $v) { pattern { id } } }',
      { id, v: version },
    );
  });
});
