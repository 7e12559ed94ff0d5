import type { GraphQLError, GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/domain/access.js';
import { checkDocument, QUERY_LIMITS } from '../../src/graphql/limits.js';
import { buildBouncePatternsSchema } from '../../src/graphql/schema.js';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildBouncePatternsSchema();
});

/** The refusal checkDocument gives, as extensions; null when it lets the request through. */
function refusal(query: string, role: Role | null = 'viewer', variables = {}, introspection = false) {
  try {
    checkDocument(schema, { query, variables }, { role, introspection });
    return null;
  } catch (error) {
    return (error as GraphQLError).extensions;
  }
}

describe('checkDocument: what any execution path calls before graphql-js validates', () => {
  it('costs pages by their size and batches by their items, with the variables', () => {
    const page = 'query($n: Int) { bouncePatterns(first: $n) { edges { node { id name } } } }';
    expect(refusal(page, 'viewer', { n: 500 })).toBeNull();
    const nested = 'query($n: Int) { bouncePatterns(first: $n) { edges { node { isp { patterns { id } } } } } }';
    // 1 + n × (edges 1 + node 1 + isp 1 + patterns (1 + 50 × id)) = 1 + n × 54.
    expect(refusal(nested, 'viewer', { n: 400 })).toBeNull();
    expect(refusal(nested, 'viewer', { n: 500 })).toMatchObject({ code: 'QUERY_TOO_COMPLEX', actual: 1 + 500 * 54 });
    const batch = 'query($items: [ClassifyInput!]!) { classifyBatch(items: $items) { type pattern { id } } }';
    const items = Array.from({ length: 1_000 }, () => ({ reply: '550' }));
    expect(refusal(batch, 'mta', { items })).toBeNull();
  });

  it('fails closed: a size it cannot read is costed as the largest page', () => {
    const nested = 'query($n: Int) { bouncePatterns(first: $n) { edges { node { isp { patterns { id } } } } } }';
    expect(refusal(nested, 'viewer', { n: 'fifty' })).toMatchObject({ code: 'QUERY_TOO_COMPLEX' });
  });

  it('walks each fragment once: a doubling chain is costed without being expanded, a cycle refused', () => {
    let query = '{ ...F0 } ';
    for (let i = 0; i < 29; i++) query += `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} } `;
    const started = performance.now();
    expect(refusal(`${query} fragment F29 on Query { __typename }`)).toMatchObject({
      code: 'QUERY_TOO_COMPLEX',
      actual: 2 ** 29,
    });
    // Expanded, that is half a billion spreads; walked once per fragment, a few microseconds.
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(refusal(`${query} fragment F29 on Query { ...F0 }`)).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('refuses a caller without a token before parsing, unless an introspection document is all it sends', () => {
    expect(refusal('{ __typename }', null)).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(refusal('{ __schema { queryType { name } } }', null, {}, true)).toBeNull();
    expect(refusal('{ __typename classify(reply: "x") { type } }', null, {}, true)).toMatchObject({
      code: 'UNAUTHENTICATED',
    });
  });

  it('checks nested reads against the role, wherever they are reached from', () => {
    const probe = '{ classify(reply: "x") { pattern { id name pattern } } }';
    expect(refusal(probe, 'mta')).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(probe, 'viewer')).toBeNull();
    expect(refusal('{ classify(reply: "x") { pattern { id name type message } isp { id name } } }', 'mta')).toBeNull();
    expect(refusal('{ bouncePatterns { edges { node { history { eventType } } } } }', 'viewer')).toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it('remembers a walk only where neither the role, the variables nor a list size can change it', () => {
    // Each pair asks the same document twice: a remembered answer that ignored what differs would pass both.
    const probe = '{ classify(reply: "x") { pattern { id name pattern } } }';
    expect(refusal(probe, 'viewer')).toBeNull();
    expect(refusal(probe, 'mta')).toMatchObject({ code: 'FORBIDDEN' });
    expect(refusal(probe, 'viewer')).toBeNull();
    const batch = 'query($items: [ClassifyInput!]!) { classifyBatch(items: $items) { type pattern { id } } }';
    const items = (count: number) => Array.from({ length: count }, () => ({ reply: '550' }));
    expect(refusal(batch, 'mta', { items: items(1_000) })).toBeNull();
    expect(refusal(batch, 'mta', { items: items(10_000) })).toMatchObject({ code: 'QUERY_TOO_COMPLEX' });
    const ispPatterns = '{ isp(id: "isp-1") { patterns { id name type message } } }';
    const withPatterns = (count: number) => () => {
      try {
        checkDocument(
          schema,
          { query: ispPatterns },
          {
            role: 'viewer',
            introspection: false,
            listSize: (type, field) => (type === 'Isp' && field === 'patterns' ? count : undefined),
          },
        );
        return null;
      } catch (error) {
        return (error as GraphQLError).extensions;
      }
    };
    expect(withPatterns(100)()).toBeNull();
    expect(withPatterns(10_000)()).toMatchObject({ code: 'QUERY_TOO_COMPLEX' });
  });

  it('counts the fields of the document', () => {
    expect(refusal(`{ ${'__typename '.repeat(QUERY_LIMITS.fields)}}`)).toMatchObject({
      code: 'TOO_MANY_REPEATED_FIELDS',
    });
    const distinct = Array.from({ length: QUERY_LIMITS.fields + 1 }, (_, i) => `f${i}`).join(' ');
    expect(refusal(`{ ${distinct} }`)).toMatchObject({ code: 'TOO_MANY_FIELDS', actual: QUERY_LIMITS.fields + 1 });
  });
});
