import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AppliedEvents } from '../../src/app/projectionRunner.js';
import { inProcessApi, type ApiAnswer } from '../support/apiSpecification.js';
import { CREATE_PATTERN } from '../support/queries.js';

type Api = Awaited<ReturnType<typeof inProcessApi>>;
type Send = (source: string, variables?: Record<string, unknown>) => Promise<ApiAnswer>;

const input = (name: string) => ({ name, type: 'HARD_BOUNCE', pattern: 'acme user unknown', message: 'No such user' });
const EDIT = `mutation Edit($id: ID!, $v: Int!, $input: EditBouncePatternInput!, $key: ID) {
  editBouncePattern(id: $id, expectedVersion: $v, input: $input, clientMutationId: $key) { pattern { id name version } }
}`;
const CREATE_ISP = `mutation($input: CreateIspInput!, $key: ID) {
  createIsp(input: $input, clientMutationId: $key) { isp { id name version } }
}`;
const CREATE_TOKEN = `mutation($key: ID) {
  createApiToken(input: { name: "ci", role: VIEWER }, clientMutationId: $key) { token { id } secret }
}`;

const codeOf = (answer: ApiAnswer) => answer.errors?.[0]?.extensions?.code;

let api: Api;
let admin: Send;
beforeEach(async () => {
  api = await inProcessApi();
  admin = await api.as('admin');
});
afterEach(() => api.stop());

const headOf = () => api.store.headPosition();

describe('idempotency keys (clientMutationId)', () => {
  it('apply a retried create once and answer it the same way', async () => {
    const first = await admin(CREATE_PATTERN, { input: input('Acme'), clientMutationId: 'k1' });
    const head = await headOf();
    const second = await admin(CREATE_PATTERN, { input: input('Acme'), clientMutationId: 'k1' });
    expect(second.data.createBouncePattern.pattern).toEqual(first.data.createBouncePattern.pattern);
    expect(await headOf()).toBe(head);
  });

  it('refuse the same key with another input, writing nothing', async () => {
    await admin(CREATE_PATTERN, { input: input('Acme'), clientMutationId: 'k1' });
    const head = await headOf();
    const reused = await admin(CREATE_PATTERN, { input: input('Other'), clientMutationId: 'k1' });
    expect(codeOf(reused)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await headOf()).toBe(head);
  });

  it('refuse a key spent on one pattern when it comes again for another pattern or for a create', async () => {
    const a = (await admin(CREATE_PATTERN, { input: input('A') })).data.createBouncePattern.pattern;
    const b = (await admin(CREATE_PATTERN, { input: input('B') })).data.createBouncePattern.pattern;
    await admin(EDIT, { id: a.id, v: a.version, input: { name: 'A2' }, key: 'k2' });
    const head = await headOf();
    const onOther = await admin(EDIT, { id: b.id, v: b.version, input: { name: 'A2' }, key: 'k2' });
    const asCreate = await admin(CREATE_PATTERN, { input: input('C'), clientMutationId: 'k2' });
    expect([codeOf(onOther), codeOf(asCreate)]).toEqual(['IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_REUSED']);
    expect(await headOf()).toBe(head);
    const names = (await admin('{ bouncePatterns { nodes: edges { node { name } } } }')).data.bouncePatterns.nodes;
    expect(names.map((edge: { node: { name: string } }) => edge.node.name).sort()).toEqual(['A2', 'B']);
  });

  it('are accepted by ISP and token mutations: a retried createIsp makes one ISP, a retried createApiToken no second token', async () => {
    const isp = { name: 'Acme Mail', domains: ['acme.example'] };
    const first = await admin(CREATE_ISP, { input: isp, key: 'isp-1' });
    const again = await admin(CREATE_ISP, { input: isp, key: 'isp-1' });
    expect(again.data.createIsp.isp).toEqual(first.data.createIsp.isp);

    const token = await admin(CREATE_TOKEN, { key: 'token-1' });
    expect(token.data.createApiToken.secret).toMatch(/^bp_/);
    const tokens = api.app.apiTokens.list().length;
    const retried = await admin(CREATE_TOKEN, { key: 'token-1' });
    expect(codeOf(retried)).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(retried.errors?.[0]?.message).toContain('shown only once');
    expect(api.app.apiTokens.list()).toHaveLength(tokens);
  });
});

describe('errors a form can act on', () => {
  it('names every bad field of an input at once', async () => {
    const head = await headOf();
    const answer = await admin(CREATE_PATTERN, {
      input: { name: ' ', type: 'BOUNCE', pattern: '(unclosed', message: 'x', priority: 10_000_000 },
    });
    expect(codeOf(answer)).toBe('BAD_USER_INPUT');
    const fields = (answer.errors![0]!.extensions!.fieldErrors as { field: string }[]).map((error) => error.field);
    expect(fields).toEqual(['name', 'pattern', 'priority']);
    expect(await headOf()).toBe(head);
  });
});

describe('the publish seam', () => {
  it('tells listeners which events the read model serves, and whether the rules changed', async () => {
    const heard: AppliedEvents[] = [];
    const verdictsWhenHeard: (string | undefined)[] = [];
    api.app.runner.onApplied((applied) => {
      heard.push(applied);
      verdictsWhenHeard.push(api.app.classifier.classify({ reply: '550 acme user unknown' }).rule?.id);
    });
    const created = (await admin(CREATE_PATTERN, { input: input('Acme') })).data.createBouncePattern.pattern;
    await admin(CREATE_TOKEN, {});
    expect(heard.map(({ events, rulesChanged }) => [events.map((e) => e.type), rulesChanged])).toEqual([
      [['BouncePatternCreated'], true],
      [['ApiTokenCreated'], false],
    ]);
    expect(heard[0]!.events[0]!.streamId).toBe(`bouncePattern-${created.id}`);
    expect(heard[0]!.position).toBe(heard[0]!.events[0]!.position);
    // Heard only once classify answers with it.
    expect(verdictsWhenHeard[0]).toBe(created.id);
  });
});
