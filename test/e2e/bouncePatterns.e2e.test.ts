import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/eventstore/sqlite.js';
import { asAdmin, bearer, serviceEnv } from '../support/auth.js';
import { gql, gqlData, gqlError } from '../support/graphqlClient.js';
import {
  CREATE_PATTERN,
  CREATE_TOKEN,
  DELETE_PATTERN,
  EDIT_PATTERN,
  GET_PATTERN,
  LIST_PATTERNS,
} from '../support/queries.js';
import { logHead } from '../support/log.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

const scratch = scratchDir();
let service: ServiceProcess;
let alice: Record<string, string>;
let bob: Record<string, string>;

async function streamOf(id: string) {
  const store = new SqliteEventStore(scratch.sqlitePath);
  try {
    return await store.readStream(`bouncePattern-${id}`);
  } finally {
    await store.close();
  }
}

const create = (input: Record<string, unknown>) =>
  gqlData(service.url, CREATE_PATTERN, { input }, alice).then((d) => d.createBouncePattern.pattern);

beforeAll(async () => {
  service = await startServiceProcess(serviceEnv(scratch.sqlitePath));
  const editor = async (name: string) =>
    bearer((await gqlData(service.url, CREATE_TOKEN, { input: { name, role: 'EDITOR' } })).createApiToken.secret);
  alice = await editor('alice');
  bob = await editor('bob');
});

afterAll(async () => {
  await service?.stop();
  scratch.cleanup();
});

describe('bounce patterns over HTTP', () => {
  it('creates, lists, edits, refuses a stale edit, deletes, and keeps the events', async () => {
    const unknown = await create({
      name: 'Acme: user unknown',
      type: 'HARD_BOUNCE',
      pattern: 'acme.*user unknown',
      message: 'Mailbox does not exist',
      priority: 10,
    });
    expect(unknown).toMatchObject({
      name: 'Acme: user unknown',
      type: 'HARD_BOUNCE',
      ispId: null,
      enabled: true,
      origin: 'CUSTOM',
      version: 1,
      deleted: false,
    });
    expect(unknown.createdBy).toMatchObject({ name: 'alice', kind: 'TOKEN' });
    const full = await create({
      name: 'Acme: mailbox full',
      type: 'SOFT_BOUNCE',
      pattern: 'acme.*mailbox full',
      message: 'Mailbox full',
      priority: 20,
    });
    const spam = await create({
      name: 'Acme: spam',
      type: 'BOUNCE',
      pattern: 'acme.*spam',
      message: 'Rejected as spam',
      priority: 30,
      enabled: false,
    });

    // Filter, search, paginate.
    const custom = await gqlData(service.url, LIST_PATTERNS, { filter: { origin: 'CUSTOM' } });
    expect(custom.bouncePatterns.totalCount).toBe(3);
    expect(custom.bouncePatterns.edges.map((e: any) => e.node.name)).toEqual([
      'Acme: user unknown',
      'Acme: mailbox full',
      'Acme: spam',
    ]);
    const hard = await gqlData(service.url, LIST_PATTERNS, { filter: { origin: 'CUSTOM', type: 'HARD_BOUNCE' } });
    expect(hard.bouncePatterns.edges.map((e: any) => e.node.id)).toEqual([unknown.id]);
    const disabled = await gqlData(service.url, LIST_PATTERNS, { filter: { origin: 'CUSTOM', enabled: false } });
    expect(disabled.bouncePatterns.edges.map((e: any) => e.node.id)).toEqual([spam.id]);
    const search = await gqlData(service.url, LIST_PATTERNS, { filter: { search: 'MAILBOX FULL', origin: 'CUSTOM' } });
    expect(search.bouncePatterns.edges.map((e: any) => e.node.id)).toEqual([full.id]);

    const page1 = await gqlData(service.url, LIST_PATTERNS, {
      filter: { origin: 'CUSTOM' },
      orderBy: { field: 'NAME', direction: 'DESC' },
      first: 2,
    });
    expect(page1.bouncePatterns.edges.map((e: any) => e.node.id)).toEqual([unknown.id, spam.id]);
    expect(page1.bouncePatterns.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const page2 = await gqlData(service.url, LIST_PATTERNS, {
      filter: { origin: 'CUSTOM' },
      orderBy: { field: 'NAME', direction: 'DESC' },
      first: 2,
      after: page1.bouncePatterns.pageInfo.endCursor,
    });
    expect(page2.bouncePatterns.edges.map((e: any) => e.node.id)).toEqual([full.id]);
    expect(page2.bouncePatterns.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    // Edit with the right version: the payload reflects the write and the list already shows it.
    const edit = await gqlData(
      service.url,
      EDIT_PATTERN,
      { id: unknown.id, expectedVersion: 1, input: { priority: 5, ispId: null } },
      bob,
    );
    expect(edit.editBouncePattern.pattern).toMatchObject({
      id: unknown.id,
      priority: 5,
      version: 2,
      updatedBy: { name: 'bob', kind: 'TOKEN' },
    });
    const afterEdit = await gqlData(service.url, GET_PATTERN, { id: unknown.id });
    expect(afterEdit.bouncePattern).toMatchObject({ priority: 5, version: 2 });

    // A stale version is a CONFLICT that names the current version and writes nothing.
    const head = await logHead(scratch.sqlitePath);
    const stale = await gqlError(service.url, EDIT_PATTERN, {
      id: unknown.id,
      expectedVersion: 1,
      input: { priority: 6 },
    });
    expect(stale.extensions).toMatchObject({ code: 'CONFLICT', currentVersion: 2 });
    expect(await logHead(scratch.sqlitePath)).toBe(head);
    expect((await gqlData(service.url, GET_PATTERN, { id: unknown.id })).bouncePattern.priority).toBe(5);

    // Delete: gone from the list, in the trash (readable by id, marked deleted), its events still in the log.
    const del = await gqlData(service.url, DELETE_PATTERN, {
      id: unknown.id,
      expectedVersion: 2,
      reason: 'replaced by a default rule',
    });
    expect(del.deleteBouncePattern.pattern).toEqual({ id: unknown.id, version: 3, deleted: true });
    const remaining = await gqlData(service.url, LIST_PATTERNS, { filter: { origin: 'CUSTOM' } });
    expect(remaining.bouncePatterns.edges.map((e: any) => e.node.id)).toEqual([full.id, spam.id]);
    expect((await gqlData(service.url, GET_PATTERN, { id: unknown.id })).bouncePattern.deleted).toBe(true);
    const trash = await gqlData(service.url, LIST_PATTERNS, { filter: { deleted: true } });
    expect(trash.bouncePatterns.edges.map((e: any) => e.node.id)).toEqual([unknown.id]);
    const events = await streamOf(unknown.id);
    expect(events.map((e) => e.type)).toEqual(['BouncePatternCreated', 'BouncePatternEdited', 'BouncePatternDeleted']);
    expect(events[1]!.data).toEqual({ patternId: unknown.id, changes: { priority: 5 }, previous: { priority: 10 } });
    expect(events[1]!.metadata.actor).toMatchObject({ name: 'bob', kind: 'token' });
    expect(events[2]!.metadata.reason).toBe('replaced by a default rule');
  });

  it('applies a retried create (same clientMutationId) once', async () => {
    const input = { name: 'Retried', type: 'BOUNCE', pattern: 'retried create', message: 'x' };
    const first = await gqlData(service.url, CREATE_PATTERN, { input, clientMutationId: 'req-42' });
    const second = await gqlData(service.url, CREATE_PATTERN, { input, clientMutationId: 'req-42' });
    expect(second.createBouncePattern.pattern.id).toBe(first.createBouncePattern.pattern.id);
    const list = await gqlData(service.url, LIST_PATTERNS, { filter: { search: 'retried create' } });
    expect(list.bouncePatterns.totalCount).toBe(1);
  });
});

describe('bad input gets a clear error and changes nothing', () => {
  const valid = { name: 'Valid', type: 'BOUNCE', pattern: 'valid', message: 'ok' };

  it.each([
    ['an invalid regex', { ...valid, pattern: '(unclosed' }, 'pattern', /not a valid regular expression/],
    ['a back-reference', { ...valid, pattern: '(a)\\1' }, 'pattern', /RE2/],
    ['an empty name', { ...valid, name: '   ' }, 'name', /must not be empty/],
    ['an oversized name', { ...valid, name: 'n'.repeat(201) }, 'name', /at most 200/],
    ['an oversized pattern', { ...valid, pattern: 'p'.repeat(1001) }, 'pattern', /at most 1000/],
    ['an oversized message', { ...valid, message: 'm'.repeat(2001) }, 'message', /at most 2000/],
    ['an unknown ISP', { ...valid, ispId: 'no-such-isp' }, 'ispId', /no ISP/],
  ])('%s', async (_what, input, field, why) => {
    const head = await logHead(scratch.sqlitePath);
    const error = await gqlError(service.url, CREATE_PATTERN, { input });
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(error.message).toMatch(why);
    expect(error.extensions).not.toHaveProperty('stacktrace');
    expect(await logHead(scratch.sqlitePath)).toBe(head);
  });

  it('a wrong enum value', async () => {
    const error = await gqlError(service.url, CREATE_PATTERN, { input: { ...valid, type: 'MAYBE' } });
    expect(error.status).toBe(400);
    expect(error.extensions?.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/BounceType/);
  });

  it('an unknown id', async () => {
    const head = await logHead(scratch.sqlitePath);
    const edit = await gqlError(service.url, EDIT_PATTERN, { id: 'nope', expectedVersion: 1, input: { priority: 1 } });
    expect(edit.extensions?.code).toBe('NOT_FOUND');
    const del = await gqlError(service.url, DELETE_PATTERN, { id: 'nope', expectedVersion: 1 });
    expect(del.extensions?.code).toBe('NOT_FOUND');
    expect(await logHead(scratch.sqlitePath)).toBe(head);
  });

  it('a malformed query', async () => {
    const error = await gqlError(service.url, '{ bouncePatterns { edges { node { id }', {});
    expect(error.status).toBe(400);
    expect(error.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
    const unknownField = await gqlError(service.url, '{ bouncePatterns { nope } }', {});
    expect(unknownField.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('a body that is not JSON, and one that is too large', async () => {
    const notJson = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(notJson.status).toBe(400);
    expect(((await notJson.json()) as any).errors[0].extensions.code).toBe('BAD_REQUEST');
    const huge = await fetch(service.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }', variables: { x: 'x'.repeat(2_000_000) } }),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a default pattern cannot be deleted', async () => {
    const defaults = await gqlData(service.url, LIST_PATTERNS, { filter: { origin: 'DEFAULT' }, first: 1 });
    const pattern = defaults.bouncePatterns.edges[0].node;
    const error = await gqlError(service.url, DELETE_PATTERN, { id: pattern.id, expectedVersion: pattern.version });
    expect(error.extensions?.code).toBe('PROTECTED_DEFAULT');
  });
});

describe('the service around GraphQL', () => {
  it('answers /healthz and serves an offline explorer', async () => {
    const base = new URL(service.url);
    const health = await fetch(new URL('/healthz', base));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const page = await fetch(service.url, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html).toContain('GraphiQL');
    for (const asset of html.matchAll(/(?:src|href)="(\/explorer\/[^"]+)"/g)) {
      const response = await fetch(new URL(asset[1]!, base));
      expect(response.status, asset[1]).toBe(200);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(1000);
    }
    expect(html).not.toMatch(/https?:\/\/(?!localhost)/);
  });

  it('answers errors as each media type says: 200 for application/json (Apollo Client 3), 4xx for graphql-response+json', async () => {
    const ask = (accept: string, headers: Record<string, string> = asAdmin) =>
      fetch(service.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept, ...headers },
        body: JSON.stringify({ query: '{ bouncePatterns { nope } }' }),
      });
    for (const [accept, status, type] of [
      ['*/*', 200, 'application/json'],
      ['application/json', 200, 'application/json'],
      ['application/graphql-response+json', 400, 'application/graphql-response+json'],
    ] as const) {
      const answer = await ask(accept);
      expect([answer.status, answer.headers.get('content-type')], accept).toEqual([
        status,
        expect.stringContaining(type),
      ]);
      expect(((await answer.json()) as any).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    const anonymous = await ask('*/*', {});
    expect(anonymous.status).toBe(200);
    expect(((await anonymous.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect((await ask('application/graphql-response+json', {})).status).toBe(401);
  });

  it('keeps CSRF prevention on: a simple GET query without a preflight header is refused', async () => {
    const response = await fetch(`${service.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(response.status).toBe(400);
    const ok = await gql(service.url, '{ __typename }');
    expect(ok.data).toEqual({ __typename: 'Query' });
  });
});
