import { readFileSync } from 'node:fs';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteEventStore } from '../../src/eventstore/sqlite.js';
import { ADMIN_TOKEN, bearer, serviceEnv } from '../support/auth.js';
import { gql, gqlData, gqlError } from '../support/graphqlClient.js';
import { CLASSIFY, CREATE_PATTERN, CREATE_TOKEN, LIST_PATTERNS, REVOKE_TOKEN } from '../support/queries.js';
import { logHead } from '../support/log.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

const scratch = scratchDir();
let service: ServiceProcess;

const newPatternInput = (marker: string) => ({
  input: { name: marker, type: 'BOUNCE', pattern: `${marker} marker`, message: 'm' },
});

beforeAll(async () => {
  service = await startServiceProcess(serviceEnv(scratch.sqlitePath));
});

afterAll(async () => {
  await service?.stop();
  scratch.cleanup();
});

describe('API tokens', () => {
  it('refuses requests without a valid token, and writes nothing', async () => {
    const head = await logHead(scratch.sqlitePath);
    for (const headers of [
      {},
      bearer('bp_not_a_real_token_at_all_0000'),
      { authorization: 'Basic YWRtaW46YWRtaW4=' },
    ]) {
      const error = await gqlError(service.url, CREATE_PATTERN, newPatternInput('anonymous'), headers);
      expect(error.extensions?.code).toBe('UNAUTHENTICATED');
      const read = await gqlError(service.url, CLASSIFY, { reply: '550 no' }, headers);
      expect(read.extensions?.code).toBe('UNAUTHENTICATED');
    }
    expect(await logHead(scratch.sqlitePath)).toBe(head);
  });

  it('lives through create, use, revoke; a revoked token is refused; the secret is never stored', async () => {
    const created = await gqlData(service.url, CREATE_TOKEN, { input: { name: 'ci editor', role: 'EDITOR' } });
    const { token, secret } = created.createApiToken;
    expect(secret).toMatch(/^bp_[A-Za-z0-9_-]{40,}$/);
    expect(token).toMatchObject({ name: 'ci editor', role: 'EDITOR', revoked: false });

    const made = await gqlData(service.url, CREATE_PATTERN, newPatternInput('by-ci-editor'), bearer(secret));
    expect(made.createBouncePattern.pattern.createdBy).toEqual({ id: token.id, name: 'ci editor', kind: 'TOKEN' });

    const listed = await gqlData(service.url, '{ apiTokens { id name role revoked } }');
    expect(listed.apiTokens).toContainEqual({ id: token.id, name: 'ci editor', role: 'EDITOR', revoked: false });
    const noSecretField = await gqlError(service.url, '{ apiTokens { secret } }');
    expect(noSecretField.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');

    const revoked = await gqlData(service.url, REVOKE_TOKEN, { id: token.id });
    expect(revoked.revokeApiToken.token).toEqual({ id: token.id, revoked: true });
    const refused = await gqlError(service.url, LIST_PATTERNS, {}, bearer(secret));
    expect(refused.extensions?.code).toBe('UNAUTHENTICATED');

    // Neither the new secret nor the bootstrap one appears in clear anywhere in the store's files.
    for (const file of [scratch.sqlitePath, `${scratch.sqlitePath}-wal`]) {
      let bytes = '';
      try {
        bytes = readFileSync(file).toString('latin1');
      } catch {
        continue;
      }
      expect(bytes.includes(secret)).toBe(false);
      expect(bytes.includes(ADMIN_TOKEN)).toBe(false);
    }
  });

  it('records the token as the actor of the events it causes', async () => {
    const store = new SqliteEventStore(scratch.sqlitePath);
    const actors = new Set<string>();
    for await (const event of store.readAll())
      if (event.type === 'BouncePatternCreated')
        actors.add(`${event.metadata.actor.kind}:${event.metadata.actor.name}`);
    await store.close();
    expect(actors).toContain('token:ci editor');
    expect(actors).toContain('system:system');
  });

  it('generates the first admin token on a first start without BOOTSTRAP_ADMIN_TOKEN, and prints it once', async () => {
    const fresh = scratchDir();
    const first = await startServiceProcess({ SQLITE_PATH: fresh.sqlitePath, BOOTSTRAP_ADMIN_TOKEN: '' });
    const printed = /First admin token[^\n]*\n\s+(bp_\S+)/.exec(first.output())?.[1];
    expect(printed).toBeDefined();
    const me = await gqlData(first.url, '{ apiTokens { name role } }', {}, bearer(printed!));
    expect(me.apiTokens).toEqual([{ name: 'first admin', role: 'ADMIN' }]);
    await first.stop();
    const second = await startServiceProcess({ SQLITE_PATH: fresh.sqlitePath, BOOTSTRAP_ADMIN_TOKEN: '' });
    expect(second.output()).not.toMatch(/First admin token/);
    expect((await gqlData(second.url, '{ apiTokens { name } }', {}, bearer(printed!))).apiTokens).toHaveLength(1);
    await second.stop();
    fresh.cleanup();
  });
});

describe('limits on what a request may cost', () => {
  it('query depth', async () => {
    const deep =
      '{ isps(first: 1) { edges { node { patterns { isp { patterns { isp { patterns { isp { patterns { id } } } } } } } } } } }';
    const error = await gqlError(service.url, deep);
    expect(error.status).toBe(400);
    expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_DEEP', limit: 10 });
    // The explorer's own introspection query is deep but not limited, and needs no token.
    const introspection = await gql(service.url, getIntrospectionQuery(), {}, {});
    expect(introspection.errors).toBeUndefined();
    expect(introspection.data.__schema.queryType.name).toBe('Query');
  });

  it('aliases', async () => {
    const aliases = Array.from({ length: 31 }, (_, i) => `a${i}: __typename`).join(' ');
    const error = await gqlError(service.url, `{ ${aliases} }`);
    expect(error.extensions).toMatchObject({ code: 'TOO_MANY_ALIASES', limit: 30, actual: 31 });
  });

  it('query cost, computed with the variables', async () => {
    const query =
      'query($n: Int) { bouncePatterns(first: $n) { edges { node { id history { position eventType actor { id } } } } } }';
    const cheap = await gql(service.url, query, { n: 2 });
    expect(cheap.errors).toBeUndefined();
    const costly = await gqlError(service.url, query, { n: 500 });
    expect(costly.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 25_000 });
  });

  it('page size and batch size', async () => {
    expect((await gqlError(service.url, LIST_PATTERNS, { first: 501 })).extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'first',
    });
    const items = Array.from({ length: 1_001 }, () => ({ reply: '550 x' }));
    const batch = await gqlError(
      service.url,
      'query($items: [ClassifyInput!]!) { classifyBatch(items: $items) { type } }',
      { items },
    );
    expect(batch.extensions?.code).toMatch(/BAD_USER_INPUT|QUERY_TOO_COMPLEX/);
  });

  it('a huge reply is bounded, not a stall', async () => {
    const reply = `550 ${'x'.repeat(900_000)} user unknown`;
    const result = await gqlData(service.url, CLASSIFY, { reply });
    // Cut to 4,096 characters before matching: the words at the end are never seen.
    expect(result.classify).toMatchObject({ matchedBy: 'REPLY_CODE', type: 'BOUNCE', replyCode: '550' });
  });
});

describe('in production', () => {
  it('turns introspection and the explorer off', async () => {
    const prod = await startServiceProcess(serviceEnv(scratch.sqlitePath, { NODE_ENV: 'production' }));
    const introspection = await gqlError(prod.url, '{ __schema { types { name } } }');
    expect(introspection.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(introspection.message).toMatch(/introspection/i);
    const page = await fetch(prod.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('GraphiQL');
    expect((await fetch(new URL('/explorer/graphiql.js', prod.url))).status).toBe(404);
    await prod.stop();
  });
});
