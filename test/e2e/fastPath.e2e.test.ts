import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ClassifyFastPath } from '../../src/graphql/fastPath.js';
import { startService, type RunningService } from '../../src/server.js';
import { ADMIN_TOKEN, serviceEnv } from '../support/auth.js';
import { gqlData } from '../support/graphqlClient.js';
import { CLASSIFY, CREATE_PATTERN, CREATE_TOKEN, REVOKE_TOKEN } from '../support/queries.js';
import { scratchDir } from '../support/serviceProcess.js';

/**
 * The classify fast path answers exactly what the general path (Apollo) answers. Two services run on
 * one log: `fast` as shipped, `general` with the fast path off; every request goes to both, raw, and
 * the status, content type and body must be the same bytes. A spy on the real fast path tells which
 * requests it answered itself, so the comparison is known to cover it.
 */
const scratch = scratchDir();
let fast: RunningService;
let general: RunningService;
let mtaToken: string;
const answered = vi.spyOn(ClassifyFastPath.prototype, 'answer');

// Every field of a verdict an MTA token may read (README, nested reads).
const ALL_FIELDS = `type matchedBy message replyCode enhancedStatusCode rulesetVersion __typename
  pattern { __typename id patternId name type message version }
  isp { __typename id ispId name version }`;
const SINGLE = `query One($reply: String!, $recipient: String, $ispId: ID) {
  classify(reply: $reply, recipient: $recipient, ispId: $ispId) { ${ALL_FIELDS} } }`;
const BATCH = `query Many($items: [ClassifyInput!]!) { classifyBatch(items: $items) { ${ALL_FIELDS} } }`;
/** Costs over the limit for 1,000 items (26 a verdict), not for a few. */
const COSTLY_BATCH = `query Many($items: [ClassifyInput!]!) {
  classifyBatch(items: $items) { ${ALL_FIELDS} again: pattern { id patternId name type message version } } }`;

interface Raw {
  readonly status: number;
  readonly type: string | null;
  readonly headers: readonly string[];
  readonly body: string;
}

async function send(url: string, body: string, headers: Record<string, string>): Promise<Raw> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  // Every header but those that differ between any two answers.
  const names = [...response.headers.keys()].filter(
    (name) => !['date', 'x-correlation-id', 'server-timing'].includes(name),
  );
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    headers: names.map((name) => `${name}: ${response.headers.get(name)}`),
    body: await response.text(),
  };
}

/** Sends one request to both services; returns the answer once they agree, and whether the fast path gave it. */
async function both(request: unknown, headers: Record<string, string> = { authorization: `Bearer ${mtaToken}` }) {
  const body = typeof request === 'string' ? request : JSON.stringify(request);
  answered.mockClear();
  const fromFast = await send(fast.url, body, headers);
  // A batch's answer is a promise: what it resolves to says whether the fast path answered.
  const returned = answered.mock.results.filter((result) => result.type === 'return').map((result) => result.value);
  const byFastPath = (await Promise.all(returned)).some((value) => value !== null);
  const fromGeneral = await send(general.url, body, headers);
  expect(fromFast).toEqual(fromGeneral);
  return { ...fromFast, json: JSON.parse(fromFast.body), byFastPath };
}

beforeAll(async () => {
  fast = await startService(loadConfig(serviceEnv(scratch.sqlitePath, { PORT: '0', NODE_ENV: 'production' })));
  mtaToken = (await gqlData(fast.url, CREATE_TOKEN, { input: { name: 'mta', role: 'MTA' } })).createApiToken.secret;
  const { isp } = (
    await gqlData(
      fast.url,
      'mutation { createIsp(input: { name: "Wombat Mail", domains: ["wombat.example"] }) { isp { id } } }',
    )
  ).createIsp;
  for (const input of [
    { name: 'wombat full', type: 'SOFT_BOUNCE', pattern: 'burrow (is )?full', priority: 1, ispId: isp.id },
    {
      name: 'wombat "quoted" ünïcode',
      type: 'HARD_BOUNCE',
      pattern: 'no such wombat',
      message: 'Tab\there, "quotes", ✓',
    },
  ])
    await gqlData(fast.url, CREATE_PATTERN, { input: { message: 'm', ...input } });
  // Started after the writes: it has caught up with the same log when it answers.
  general = await startService(loadConfig(serviceEnv(scratch.sqlitePath, { PORT: '0', NODE_ENV: 'production' })), {
    fastPath: false,
  });
});

afterAll(async () => {
  await general?.stop();
  await fast?.stop();
  scratch.cleanup();
});

describe('the classify fast path answers what the general path answers', () => {
  it('for single replies: matched, fallen back, by ISP id, multi-line, not ASCII', async () => {
    for (const variables of [
      { reply: '550 5.1.1 No such WOMBAT here', recipient: 'someone@mx.wombat.example' },
      { reply: '452-4.2.2 The burrow\r\n452 4.2.2 is full', recipient: '<a@Wombat.Example.>' },
      { reply: '421 4.7.0 try later', recipient: null },
      { reply: 'no code at all' },
      { reply: '550 burrow full — ünïcode ✓ "q"', ispId: 'no-such-isp' },
    ]) {
      const answer = await both({ query: SINGLE, variables });
      expect(answer.byFastPath, JSON.stringify(variables)).toBe(true);
      expect(answer.status).toBe(200);
      expect(answer.json.data.classify.type).toMatch(/BOUNCE/);
    }
  });

  it('for every role that may classify, each checked on its own', async () => {
    const request = { query: SINGLE, variables: { reply: '550 no such wombat' } };
    const asMta = await both(request);
    const asAdmin = await both(request, { authorization: `Bearer ${ADMIN_TOKEN}` });
    expect([asMta.byFastPath, asAdmin.byFastPath]).toEqual([true, true]);
    expect(asAdmin.body).toBe(asMta.body);
  });

  it('for batches, the bench document and the README examples', async () => {
    const items = [
      { reply: '550 no such wombat' },
      { reply: '552 burrow full', recipient: 'x@wombat.example', ispId: null },
      { reply: '554 5.7.1 blocked', recipient: null },
    ];
    const batch = await both({ query: BATCH, variables: { items }, operationName: 'Many' });
    expect(batch.byFastPath).toBe(true);
    expect(batch.json.data.classifyBatch.map((verdict: { type: string }) => verdict.type)).toEqual([
      'HARD_BOUNCE',
      'SOFT_BOUNCE',
      'BOUNCE',
    ]);
    expect((await both({ query: BATCH, variables: { items: [] } })).byFastPath).toBe(true);
    expect((await both({ query: CLASSIFY, variables: { reply: '550 no such wombat' } })).byFastPath).toBe(true);
    const inline = await both({
      query: '{ verdict: classify(reply: "550 no such wombat", recipient: null) { type t: type } }',
    });
    expect(inline).toMatchObject({
      byFastPath: true,
      json: { data: { verdict: { type: 'HARD_BOUNCE', t: 'HARD_BOUNCE' } } },
    });
  });

  const INVALID: [string, unknown, Record<string, string>?][] = [
    ['no token', { query: SINGLE, variables: { reply: '550 x' } }, {}],
    [
      'an unknown token',
      { query: SINGLE, variables: { reply: '550 x' } },
      { authorization: 'Bearer bp_nope_nope_nope' },
    ],
    ['a missing variable', { query: SINGLE, variables: {} }],
    ['a number for a string', { query: SINGLE, variables: { reply: 550 } }],
    [
      'a recipient longer than an address',
      { query: SINGLE, variables: { reply: '550 x', recipient: 'a'.repeat(400) } },
    ],
    ['a batch over 1,000 replies', { query: BATCH, variables: { items: Array(1_001).fill({ reply: '550 x' }) } }],
    ['a batch item with an unknown field', { query: BATCH, variables: { items: [{ reply: '550 x', to: 'a' }] } }],
    ['a batch item without reply', { query: BATCH, variables: { items: [{ recipient: 'a@b.c' }] } }],
    [
      'a batch costing over the limit',
      { query: COSTLY_BATCH, variables: { items: Array(1_000).fill({ reply: '550 x' }) } },
    ],
    [
      'too many aliases',
      { query: `{ classify(reply: "x") { ${Array.from({ length: 31 }, (_, i) => `a${i}: type`).join(' ')} } }` },
    ],
    ['an unknown field', { query: '{ classify(reply: "x") { type colour } }' }],
    ['a syntax error', { query: '{ classify(reply: "x") { type ' }],
    ['another operation name', { query: SINGLE, variables: { reply: 'x' }, operationName: 'Other' }],
    ['asOf without the audit right', { query: '{ classify(reply: "x", asOf: { position: "1" }) { type } }' }],
    ['a body that is a list (HTTP batching)', [{ query: SINGLE, variables: { reply: 'x' } }]],
    ['a body that is not JSON', '{"query": '],
  ];

  it.each(INVALID)('for invalid requests too: %s', async (_, request, headers) => {
    const answer = await both(request, headers);
    expect(answer.byFastPath).toBe(false);
    expect(answer.json.errors?.[0]?.extensions?.code).toMatch(/^[A-Z_]+$/);
  });

  it.each([
    ['an ISP id as a number (ID coerces it)', { query: SINGLE, variables: { reply: '550 x', ispId: 7 } }],
    [
      // A field an MTA token may not read (nested reads), so asked with an admin's.
      'a nested field it does not plan',
      { query: '{ classify(reply: "550 no such wombat") { pattern { createdAt } } }' },
      { authorization: `Bearer ${ADMIN_TOKEN}` },
    ],
    ['a repeated field', { query: '{ classify(reply: "x") { type type } }' }],
    ['a fragment', { query: '{ classify(reply: "x") { ...F } } fragment F on Classification { type }' }],
    ['a directive', { query: '{ classify(reply: "x") { type @include(if: true) } }' }],
  ] as [string, unknown, Record<string, string>?][])(
    'leaves valid requests it does not plan to the general path: %s',
    async (_, request, headers) => {
      const answer = await both(request, headers);
      expect(answer.byFastPath).toBe(false);
      expect(answer.json.data.classify).toBeTruthy();
    },
  );

  it('keeps the cost limit per batch size: a document that passed small is refused when large', async () => {
    const small = await both({ query: COSTLY_BATCH, variables: { items: [{ reply: '550 x' }] } });
    expect(small.byFastPath).toBe(true);
    const large = await both({ query: COSTLY_BATCH, variables: { items: Array(1_000).fill({ reply: '550 x' }) } });
    expect(large.json.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(large.byFastPath).toBe(false);
  });

  it('answers through Apollo for another media type, with the same bytes', async () => {
    const answer = await both(
      { query: SINGLE, variables: { reply: '550 x' } },
      { authorization: `Bearer ${mtaToken}`, accept: 'application/graphql-response+json' },
    );
    expect(answer.byFastPath).toBe(false);
    expect(answer.type).toContain('application/graphql-response+json');
  });

  it('stops answering a token the moment it is revoked', async () => {
    const { createApiToken } = await gqlData(fast.url, CREATE_TOKEN, { input: { name: 'short-lived', role: 'MTA' } });
    const request = { query: SINGLE, variables: { reply: '550 x' } };
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${createApiToken.secret}` };
    const before = await send(fast.url, JSON.stringify(request), headers);
    expect(JSON.parse(before.body).data.classify.type).toBe('BOUNCE');
    await gqlData(fast.url, REVOKE_TOKEN, { id: createApiToken.token.id }, { authorization: `Bearer ${ADMIN_TOKEN}` });
    const after = JSON.parse((await send(fast.url, JSON.stringify(request), headers)).body);
    expect(after.data).toBeFalsy();
    expect(after.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});
