import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, serviceEnv } from '../support/auth.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

/** What a frontend team does with Apollo Client 4 and its normalized cache against the real server. */
const scratch = scratchDir();
let service: ServiceProcess;
let client: ApolloClient;

beforeAll(async () => {
  service = await startServiceProcess(serviceEnv(scratch.sqlitePath));
  client = new ApolloClient({
    link: new HttpLink({ uri: service.url, headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }),
    cache: new InMemoryCache(),
  });
});

afterAll(async () => {
  client?.stop();
  await service?.stop();
  scratch.cleanup();
});

const CREATE = gql`
  mutation Create($input: CreateBouncePatternInput!) {
    createBouncePattern(input: $input) { pattern { id name priority version } }
  }
`;
const EDIT = gql`
  mutation Edit($id: ID!, $v: Int!, $input: EditBouncePatternInput!) {
    editBouncePattern(id: $id, expectedVersion: $v, input: $input) { pattern { id name priority version } }
  }
`;
const LIVE = gql`
  query Live($id: ID!) { bouncePattern(id: $id) { id name priority version } }
`;
const AS_OF = gql`
  query AsOf($position: Position!) {
    bouncePatternsAsOf(asOf: { position: $position }) { position patterns { id patternId name priority version } }
  }
`;
const HISTORY = gql`
  query History($id: ID!) { bouncePattern(id: $id) { id history { position version } } }
`;

describe('Apollo Client 4 with InMemoryCache', () => {
  it('an as-of query leaves the live pattern in the cache intact, and the next edit succeeds', async () => {
    const input = {
      name: 'cache probe',
      type: 'HARD_BOUNCE',
      pattern: 'cache probe unknown',
      message: 'm',
      priority: 10,
    };
    const created = ((await client.mutate({ mutation: CREATE, variables: { input } })).data as any).createBouncePattern
      .pattern;
    const edited = (
      (await client.mutate({ mutation: EDIT, variables: { id: created.id, v: 1, input: { priority: 20 } } }))
        .data as any
    ).editBouncePattern.pattern;
    expect(edited).toMatchObject({ id: created.id, priority: 20, version: 2 });

    // The pattern as it stood at version 1: a revision of its own, not the live object.
    const history = ((await client.query({ query: HISTORY, variables: { id: created.id } })).data as any).bouncePattern
      .history;
    const atVersion1 = history.find((entry: { version: number }) => entry.version === 1).position;
    const past = ((await client.query({ query: AS_OF, variables: { position: atVersion1 } })).data as any)
      .bouncePatternsAsOf;
    const revision = past.patterns.find((p: { patternId: string }) => p.patternId === created.id);
    expect(revision).toMatchObject({ id: `${created.id}@1`, priority: 10, version: 1 });

    // The live pattern, read from the cache only, is still version 2.
    const live = client.readQuery({ query: LIVE, variables: { id: created.id } }) as any;
    const cached =
      live?.bouncePattern ??
      client.cache.readFragment({
        id: client.cache.identify({ __typename: 'BouncePattern', id: created.id }),
        fragment: gql`fragment Live on BouncePattern { id name priority version }`,
      });
    expect(cached).toMatchObject({ id: created.id, priority: 20, version: 2 });

    // An edit made on the cached version succeeds (no CONFLICT from a cache that mixed the past in).
    const next = await client.mutate({
      mutation: EDIT,
      variables: { id: created.id, v: cached.version, input: { priority: 30 } },
    });
    expect((next.data as any).editBouncePattern.pattern).toMatchObject({ priority: 30, version: 3 });
  });

  it('pages ISPs with their patterns at first: 100 within the query limits', async () => {
    const page = await client.query({
      query: gql`
        query IspsWithPatterns {
          isps(first: 100) { totalCount edges { node { id name domains patterns { id name type pattern } } } }
        }
      `,
    });
    expect(page.error).toBeUndefined();
    expect((page.data as any).isps.totalCount).toBeGreaterThanOrEqual(28);
  });
});
