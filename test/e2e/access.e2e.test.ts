import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/domain/access.js';
import { bearer, serviceEnv } from '../support/auth.js';
import { gql, gqlData } from '../support/graphqlClient.js';
import {
  CLASSIFY,
  CREATE_PATTERN,
  CREATE_TOKEN,
  DELETE_PATTERN,
  EDIT_PATTERN,
  GET_PATTERN,
  LIST_PATTERNS,
  REVOKE_TOKEN,
} from '../support/queries.js';
import { logHead } from '../support/log.js';
import { nestedReadKeys, readmeRoleTable } from '../support/readmeTables.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';

const scratch = scratchDir();
let service: ServiceProcess;
const tokens = {} as Record<Role, Record<string, string>>;

const admin = <T = any>(query: string, variables: Record<string, unknown> = {}) =>
  gqlData<T>(service.url, query, variables);
let counter = 0;
const newPattern = async () =>
  (
    await admin(CREATE_PATTERN, {
      input: { name: `target ${++counter}`, type: 'BOUNCE', pattern: `target marker ${counter}`, message: 'm' },
    })
  ).createBouncePattern.pattern;
const newIsp = async () =>
  (
    await admin(`mutation($input: CreateIspInput!) { createIsp(input: $input) { isp { id version } } }`, {
      input: { name: `isp ${++counter}`, domains: [`isp${counter}.example`] },
    })
  ).createIsp.isp;

type Variables = Record<string, unknown>;
type Operation = {
  prepare?: () => Promise<Variables>;
  query: string | ((v: Variables) => string);
  variables?: Variables;
};

/** Each operation of the table, done for real; `prepare` makes its targets (as admin) beforehand. */
const operations: Record<string, Operation> = {
  classify: { query: CLASSIFY, variables: { reply: '550 5.1.1 user unknown' } },
  classifyBatch: {
    query: 'query($items: [ClassifyInput!]!) { classifyBatch(items: $items) { type } }',
    variables: { items: [{ reply: '452 try later' }] },
  },
  classifyMessage: {
    query: 'query($message: String!) { classifyMessage(message: $message) { isBounce recipients { recipient } } }',
    variables: {
      message:
        'From: MAILER-DAEMON\nSubject: failure notice\n\nHi. This is the qmail-send program at example.com.\n\n<a@example.com>:\nRemote host said: 550 5.1.1 no such user\n',
    },
  },
  bouncePatterns: { query: LIST_PATTERNS, variables: { first: 1 } },
  bouncePattern: { prepare: async () => ({ id: (await newPattern()).id }), query: GET_PATTERN },
  isps: { query: '{ isps(first: 1) { totalCount } }' },
  isp: { query: 'query { isp(id: "gmail") { id name } }' },
  node: { query: 'query { node(id: "gmail") { id ... on Isp { name } } }' },
  me: { query: '{ me { id role permissions } }' },
  testPattern: {
    query: 'query { testPattern(pattern: "quota", samples: ["552 quota exceeded"]) { trials { matches } } }',
  },
  createBouncePattern: {
    prepare: async () => ({
      input: { name: `by role ${++counter}`, type: 'BOUNCE', pattern: `role marker ${counter}`, message: 'm' },
    }),
    query: CREATE_PATTERN,
  },
  editBouncePattern: {
    prepare: async () => ({ id: (await newPattern()).id, expectedVersion: 1, input: { priority: 7 } }),
    query: EDIT_PATTERN,
  },
  deleteBouncePattern: {
    prepare: async () => ({ id: (await newPattern()).id, expectedVersion: 1 }),
    query: DELETE_PATTERN,
  },
  createIsp: {
    prepare: async () => ({ input: { name: `role isp ${++counter}`, domains: [`role${counter}.example`] } }),
    query: 'mutation($input: CreateIspInput!) { createIsp(input: $input) { isp { id } } }',
  },
  editIsp: {
    prepare: async () => ({ id: (await newIsp()).id }),
    query: 'mutation($id: ID!) { editIsp(id: $id, expectedVersion: 1, input: { name: "renamed" }) { isp { id } } }',
  },
  deleteIsp: {
    prepare: async () => ({ id: (await newIsp()).id }),
    query: 'mutation($id: ID!) { deleteIsp(id: $id, expectedVersion: 1) { isp { id } } }',
  },
  apiTokens: { query: '{ apiTokens { id name role } }' },
  createApiToken: {
    prepare: async () => ({ input: { name: `made by role ${++counter}`, role: 'VIEWER' } }),
    query: CREATE_TOKEN,
  },
  revokeApiToken: {
    prepare: async () => ({
      id: (await admin(CREATE_TOKEN, { input: { name: `to revoke ${++counter}`, role: 'MTA' } })).createApiToken.token
        .id,
    }),
    query: REVOKE_TOKEN,
  },
  revertBouncePattern: {
    prepare: async () => {
      const { id } = await newPattern();
      await admin(EDIT_PATTERN, { id, expectedVersion: 1, input: { priority: 7 } });
      return { id };
    },
    query:
      'mutation($id: ID!) { revertBouncePattern(id: $id, toVersion: 1, expectedVersion: 2) { pattern { version } } }',
  },
  restoreBouncePattern: {
    prepare: async () => {
      const { id } = await newPattern();
      await admin(DELETE_PATTERN, { id, expectedVersion: 1 });
      return { id };
    },
    query: 'mutation($id: ID!) { restoreBouncePattern(id: $id, expectedVersion: 2) { pattern { version } } }',
  },
  auditLog: { query: '{ auditLog(first: 1) { totalCount edges { node { eventType actor { id } } } } }' },
  bouncePatternsAsOf: {
    query: '{ bouncePatternsAsOf(asOf: { position: "1" }) { position patterns { id patternId } } }',
  },
  ispsAsOf: { query: '{ ispsAsOf(asOf: { position: "1" }) { position isps { id } } }' },
  rulesetDiff: { query: '{ rulesetDiff(from: { position: "1" }, to: { position: "2" }) { to added { id } } }' },
  verifyAuditTrail: { query: '{ verifyAuditTrail { ok eventsChecked } }' },
  hitTotals: { query: '{ hitTotals { byVerdict { type count } } }' },
  unmatchedReplies: { query: '{ unmatchedReplies(first: 5) { totalCount } }' },
  explainClassification: {
    query: 'query($reply: String!) { explainClassification(reply: $reply) { verdict { type } trials { outcome } } }',
    variables: { reply: '550 5.1.1 user unknown' },
  },
  previewRuleChange: {
    query: '{ previewRuleChange(changes: [{ kind: DISABLE, id: "default-gmail-no-such-user" }]) { movedOccurrences } }',
  },
  bouncePatternsDifferingFromShippedDefaults: {
    query: '{ bouncePatternsDifferingFromShippedDefaults { id differsFromShippedDefault } }',
  },
  takeShippedBouncePattern: {
    // An operator's edit of a default first, so that there is a shipped version to take.
    prepare: async () => {
      const id = 'default-spam';
      const { version } = (await admin(GET_PATTERN, { id })).bouncePattern;
      await admin(EDIT_PATTERN, { id, expectedVersion: version, input: { priority: 311 + counter++ } });
      return { id, v: version + 1 };
    },
    query:
      'mutation($id: ID!, $v: Int!) { takeShippedBouncePattern(id: $id, expectedVersion: $v) { pattern { version differsFromShippedDefault } } }',
  },
};

async function attempt(
  operation: Operation,
  headers: Record<string, string>,
  beforeSend: () => Promise<void> = async () => {},
) {
  const variables = { ...operation.variables, ...(await operation.prepare?.()) };
  await beforeSend();
  const query = typeof operation.query === 'string' ? operation.query : operation.query(variables);
  return gql(service.url, query, variables, headers);
}

beforeAll(async () => {
  service = await startServiceProcess(serviceEnv(scratch.sqlitePath));
  for (const role of ROLES) {
    const created = await admin(CREATE_TOKEN, { input: { name: `${role} token`, role: role.toUpperCase() } });
    tokens[role] = bearer(created.createApiToken.secret);
  }
});

afterAll(async () => {
  await service?.stop();
  scratch.cleanup();
});

describe('every cell of the README role table', () => {
  const table = readmeRoleTable('access-table');

  it('names exactly the operations the schema serves', async () => {
    const schema = await admin('{ __schema { queryType { fields { name } } mutationType { fields { name } } } }');
    const served = [...schema.__schema.queryType.fields, ...schema.__schema.mutationType.fields].map(
      (f: { name: string }) => f.name,
    );
    expect([...table.keys()].sort()).toEqual(served.sort());
    expect(Object.keys(operations).sort()).toEqual([...table.keys()].sort());
  });

  for (const [operation, allowed] of table) {
    for (const role of ROLES) {
      const verdict = allowed.has(role) ? 'allowed' : 'FORBIDDEN';
      it(`${operation} as ${role}: ${verdict}`, async () => {
        const operationSpec = operations[operation]!;
        if (allowed.has(role)) {
          const response = await attempt(operationSpec, tokens[role]);
          expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
          return;
        }
        let head: bigint | null = null;
        const response = await attempt(operationSpec, tokens[role], async () => {
          head = await logHead(scratch.sqlitePath);
        });
        expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
        expect(response.data?.[operation] ?? null).toBeNull();
        expect(await logHead(scratch.sqlitePath)).toBe(head);
      });
    }
  }
});

describe('every cell of the README nested-read table', () => {
  // Each type is reached the way its readers reach it; `Type.*` is tried on some of its other fields.
  const selection: Record<string, string> = {
    'BouncePatternRevision.*': 'pattern priority enabled',
    'IspRevision.*': 'domains',
    'BouncePattern.history': 'history { eventType }',
    'Isp.history': 'history { eventType }',
  };
  const entry: Record<string, string> = {
    BouncePatternRevision: 'classify(reply: $reply, recipient: "someone@gmail.com") { type pattern { FIELDS } }',
    IspRevision: 'classify(reply: $reply, recipient: "someone@gmail.com") { type isp { FIELDS } }',
    BouncePattern: 'bouncePatterns(first: 1) { edges { node { FIELDS } } }',
    Isp: 'isps(first: 1) { edges { node { FIELDS } } }',
  };
  const queryOf = (keys: string[]) => {
    const types = [...new Set(keys.map((key) => key.split('.')[0]!))];
    const fields = (type: string) =>
      keys
        .filter((key) => key.startsWith(`${type}.`))
        .map((key) => selection[key] ?? key.slice(type.length + 1))
        .join(' ');
    const selections = types.map((type, i) => `q${i}: ${entry[type]!.replace('FIELDS', fields(type))}`).join(' ');
    return `query${selections.includes('$reply') ? '($reply: String!)' : ''} { ${selections} }`;
  };
  const reply = '550 5.1.1 The email account that you tried to reach does not exist';

  for (const [row, allowed] of readmeRoleTable('nested-access-table')) {
    const query = queryOf(nestedReadKeys(row));
    for (const role of ROLES) {
      it(`${row} as ${role}: ${allowed.has(role) ? 'allowed' : 'FORBIDDEN'}`, async () => {
        const response = await gql(service.url, query, { reply }, tokens[role]);
        if (allowed.has(role)) {
          expect(response.errors, JSON.stringify(response.errors)).toBeUndefined();
          expect(Object.values(response.data).every((value) => value !== null)).toBe(true);
        } else {
          expect(response.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
          expect(response.data ?? null).toBeNull();
        }
      });
    }
  }
});
