import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { isReservationStream } from '../../src/domain/streams.js';
import { startService, type RunningService } from '../../src/server.js';
import { asAdmin, bearer, serviceEnv } from '../support/auth.js';
import { gqlData, gqlError } from '../support/graphqlClient.js';
import { CREATE_PATTERN, CREATE_TOKEN, DELETE_PATTERN, EDIT_PATTERN } from '../support/queries.js';
import { scratchDir } from '../support/serviceProcess.js';

/*
 * A history over four days, written through the API with a clock the test moves, then read back as
 * auditors do: the rules as of each day, classify then, diffs, the audit log and each rule's history.
 */

const scratch = scratchDir();
let service: RunningService;
let now = new Date('2024-03-01T09:00:00Z');
const at = (iso: string) => {
  now = new Date(iso);
};
const END_OF = {
  day1: '2024-03-01T23:59:59Z',
  day2: '2024-03-02T23:59:59Z',
  day3: '2024-03-03T23:59:59Z',
  day4: '2024-03-04T23:59:59Z',
};

const admin = <T = any>(query: string, variables: Record<string, unknown> = {}) =>
  gqlData<T>(service.url, query, variables, asAdmin);

const ENTRY = `position eventId occurredAt actor { id name kind } eventType streamId aggregateType aggregateId version
  changes { field before after } revertedToVersion reason correlationId causationId commandId`;
const AUDIT_LOG = `query Log($filter: AuditLogFilter, $order: AuditLogOrder, $first: Int, $after: String) {
  auditLog(filter: $filter, order: $order, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { cursor node { ${ENTRY} } }
  }
}`;
const PATTERNS_AS_OF = `query AsOf($asOf: AsOfInput!) {
  bouncePatternsAsOf(asOf: $asOf) { position patterns { patternId name type priority enabled version deleted } }
}`;
const ISPS_AS_OF = `query AsOf($asOf: AsOfInput!) { ispsAsOf(asOf: $asOf) { position isps { ispId name domains version } } }`;
const CLASSIFY_AS_OF = `query Classify($reply: String!, $recipient: String, $asOf: AsOfInput) {
  classify(reply: $reply, recipient: $recipient, asOf: $asOf) { type matchedBy rulesetVersion pattern { patternId type } isp { ispId } }
}`;
const DIFF = `query Diff($from: AsOfInput!, $to: AsOfInput!) {
  rulesetDiff(from: $from, to: $to) {
    from to added { patternId name } removed { patternId name } changed { pattern { patternId version } changes { field before after } }
  }
}`;
const REVERT = `mutation Revert($id: ID!, $toVersion: Int!, $v: Int!, $reason: String) {
  revertBouncePattern(id: $id, toVersion: $toVersion, expectedVersion: $v, reason: $reason) { pattern { id type priority version } }
}`;
const RESTORE = `mutation Restore($id: ID!, $v: Int!, $reason: String) {
  restoreBouncePattern(id: $id, expectedVersion: $v, reason: $reason) { pattern { id deleted version } }
}`;

const patternsAsOf = async (asOf: Record<string, unknown>) =>
  (await admin(PATTERNS_AS_OF, { asOf })).bouncePatternsAsOf;
const classifyAsOf = async (asOf?: Record<string, unknown>) =>
  (
    await admin(CLASSIFY_AS_OF, {
      reply: '550 5.1.1 <bob@acme.example>: user unknown',
      recipient: 'bob@acme.example',
      asOf,
    })
  ).classify;

let acme: { id: string };
let unknown: { id: string };
let full: { id: string };
const positions: Record<string, string> = {};

beforeAll(async () => {
  const config = loadConfig(serviceEnv(scratch.sqlitePath, { PORT: '0', NODE_ENV: 'test' }));
  service = await startService(config, { clock: () => now, seed: false });

  at('2024-03-01T09:00:00Z');
  acme = (
    await admin(
      `mutation($input: CreateIspInput!, $reason: String) { createIsp(input: $input, reason: $reason) { isp { id } } }`,
      {
        input: { name: 'Acme Mail', domains: ['acme.example'] },
        reason: 'new customer ISP',
      },
    )
  ).createIsp.isp;
  at('2024-03-01T09:30:00Z');
  unknown = (
    await admin(CREATE_PATTERN, {
      input: {
        name: 'Acme: user unknown',
        type: 'HARD_BOUNCE',
        ispId: acme.id,
        pattern: 'user unknown',
        message: 'No such mailbox',
        priority: 10,
      },
      reason: 'ticket OPS-1',
    })
  ).createBouncePattern.pattern;
  positions.day1 = String(service.app.runner.checkpoint);

  at('2024-03-02T10:00:00Z');
  await admin(EDIT_PATTERN, {
    id: unknown.id,
    expectedVersion: 1,
    input: { type: 'BOUNCE' },
    reason: 'Acme answers user unknown for blocks',
  });
  at('2024-03-02T11:00:00Z');
  full = (
    await admin(CREATE_PATTERN, {
      input: {
        name: 'Acme: mailbox full',
        type: 'SOFT_BOUNCE',
        ispId: acme.id,
        pattern: 'mailbox full',
        message: 'Full',
      },
    })
  ).createBouncePattern.pattern;
  positions.day2 = String(service.app.runner.checkpoint);

  at('2024-03-03T08:00:00Z');
  await admin(DELETE_PATTERN, { id: full.id, expectedVersion: 1, reason: 'duplicate of a default' });
  at('2024-03-03T08:05:00Z');
  await admin(EDIT_PATTERN, { id: unknown.id, expectedVersion: 2, input: { priority: 5 } });
  positions.day3 = String(service.app.runner.checkpoint);
});

afterAll(async () => {
  await service?.stop();
  scratch.cleanup();
});

describe('time travel', () => {
  it('rebuilds the rule set as it stood at the end of each day, by time or by position', async () => {
    expect(await patternsAsOf({ at: '2024-02-28T00:00:00Z' })).toEqual({ position: null, patterns: [] });

    const day1 = await patternsAsOf({ at: END_OF.day1 });
    expect(day1.position).toBe(positions.day1);
    expect(day1.patterns).toEqual([
      {
        patternId: unknown.id,
        name: 'Acme: user unknown',
        type: 'HARD_BOUNCE',
        priority: 10,
        enabled: true,
        version: 1,
        deleted: false,
      },
    ]);

    const day2 = await patternsAsOf({ at: END_OF.day2 });
    expect(day2.position).toBe(positions.day2);
    expect(day2.patterns.map((p: any) => [p.patternId, p.type, p.version])).toEqual([
      [unknown.id, 'BOUNCE', 2],
      [full.id, 'SOFT_BOUNCE', 1],
    ]);

    const day3 = await patternsAsOf({ at: END_OF.day3 });
    expect(day3.patterns.map((p: any) => [p.patternId, p.type, p.priority])).toEqual([[unknown.id, 'BOUNCE', 5]]);
    expect(await patternsAsOf({ position: positions.day3 })).toEqual(day3);
    // The same moment asked again is answered from the cache, identically.
    expect(await patternsAsOf({ at: END_OF.day3 })).toEqual(day3);

    const isps = (await admin(ISPS_AS_OF, { asOf: { at: '2024-03-01T09:10:00Z' } })).ispsAsOf;
    expect(isps.isps).toEqual([{ ispId: acme.id, name: 'Acme Mail', domains: ['acme.example'], version: 1 }]);
  });

  it('classify answers as the MTA would have answered then', async () => {
    const before = await classifyAsOf({ at: END_OF.day1 });
    expect(before).toEqual({
      type: 'HARD_BOUNCE',
      matchedBy: 'PATTERN',
      rulesetVersion: positions.day1,
      pattern: { patternId: unknown.id, type: 'HARD_BOUNCE' },
      isp: { ispId: acme.id },
    });
    const after = await classifyAsOf({ at: END_OF.day2 });
    expect(after).toMatchObject({
      type: 'BOUNCE',
      matchedBy: 'PATTERN',
      rulesetVersion: positions.day2,
      pattern: { patternId: unknown.id, type: 'BOUNCE' },
    });
    // Before the ISP's rules existed, the reply code decides.
    expect(await classifyAsOf({ position: '0' })).toMatchObject({
      type: 'BOUNCE',
      matchedBy: 'REPLY_CODE',
      pattern: null,
    });
  });

  it('lists what was added, changed and removed between two moments', async () => {
    const day1to2 = (await admin(DIFF, { from: { at: END_OF.day1 }, to: { at: END_OF.day2 } })).rulesetDiff;
    expect(day1to2).toEqual({
      from: positions.day1,
      to: positions.day2,
      added: [{ patternId: full.id, name: 'Acme: mailbox full' }],
      removed: [],
      changed: [
        {
          pattern: { patternId: unknown.id, version: 2 },
          changes: [{ field: 'type', before: 'HARD_BOUNCE', after: 'BOUNCE' }],
        },
      ],
    });
    const day2to3 = (await admin(DIFF, { from: { position: positions.day2 }, to: { at: END_OF.day3 } })).rulesetDiff;
    expect(day2to3.added).toEqual([]);
    expect(day2to3.removed).toEqual([{ patternId: full.id, name: 'Acme: mailbox full' }]);
    expect(day2to3.changed[0].changes).toEqual([{ field: 'priority', before: 10, after: 5 }]);
  });

  it('refuses a moment that is not exactly one of a time and a position, or lies past the log', async () => {
    const both = await gqlError(service.url, PATTERNS_AS_OF, { asOf: { at: END_OF.day1, position: '1' } }, asAdmin);
    expect(both.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf' });
    const neither = await gqlError(service.url, PATTERNS_AS_OF, { asOf: {} }, asAdmin);
    expect(neither.extensions?.code).toBe('BAD_USER_INPUT');
    const future = await gqlError(service.url, PATTERNS_AS_OF, { asOf: { position: '999999' } }, asAdmin);
    expect(future.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'asOf.position' });
  });
});

describe('revert and restore', () => {
  it('revert brings back the fields of an earlier version as a new version; restore undeletes; history keeps everything', async () => {
    at('2024-03-04T14:00:00Z');
    const reverted = (
      await admin(REVERT, { id: unknown.id, toVersion: 1, v: 3, reason: 'OPS-7: the block theory was wrong' })
    ).revertBouncePattern.pattern;
    expect(reverted).toEqual({ id: unknown.id, type: 'HARD_BOUNCE', priority: 10, version: 4 });
    at('2024-03-04T14:05:00Z');
    const restored = (await admin(RESTORE, { id: full.id, v: 2, reason: 'still needed' })).restoreBouncePattern.pattern;
    expect(restored).toEqual({ id: full.id, deleted: false, version: 3 });

    const day4 = await patternsAsOf({ at: END_OF.day4 });
    expect(day4.patterns.map((p: any) => [p.patternId, p.type, p.priority, p.version])).toEqual([
      [unknown.id, 'HARD_BOUNCE', 10, 4],
      [full.id, 'SOFT_BOUNCE', 100, 3],
    ]);
    // Earlier moments are unchanged by the revert: history is never rewritten.
    expect((await classifyAsOf({ at: END_OF.day2 })).type).toBe('BOUNCE');
    expect((await classifyAsOf()).type).toBe('HARD_BOUNCE');

    const history = (
      await admin(`query($id: ID!) { bouncePattern(id: $id) { history { ${ENTRY} } } }`, { id: unknown.id })
    ).bouncePattern.history;
    expect(history.map((e: any) => [e.eventType, e.version, e.occurredAt, e.reason])).toEqual([
      ['BouncePatternCreated', 1, '2024-03-01T09:30:00.000Z', 'ticket OPS-1'],
      ['BouncePatternEdited', 2, '2024-03-02T10:00:00.000Z', 'Acme answers user unknown for blocks'],
      ['BouncePatternEdited', 3, '2024-03-03T08:05:00.000Z', null],
      ['BouncePatternReverted', 4, '2024-03-04T14:00:00.000Z', 'OPS-7: the block theory was wrong'],
    ]);
    expect(history[0]).toMatchObject({
      aggregateType: 'bouncePattern',
      aggregateId: unknown.id,
      streamId: `bouncePattern-${unknown.id}`,
    });
    expect(history[0].changes).toEqual(
      expect.arrayContaining([
        { field: 'type', before: null, after: 'HARD_BOUNCE' },
        { field: 'ispId', before: null, after: acme.id },
        { field: 'origin', before: null, after: 'CUSTOM' },
      ]),
    );
    expect(history[3]).toMatchObject({
      revertedToVersion: 1,
      changes: [
        { field: 'type', before: 'BOUNCE', after: 'HARD_BOUNCE' },
        { field: 'priority', before: 5, after: 10 },
      ],
    });
    expect(history[0].actor).toEqual(history[3].actor);
    expect(history[0].actor.kind).toBe('TOKEN');
    expect(history[0].commandId).toBeTruthy();
    expect(history[0].correlationId).toBeTruthy();

    const ispHistory = (
      await admin(`query($id: ID!) { isp(id: $id) { history { eventType reason changes { field after } } } }`, {
        id: acme.id,
      })
    ).isp.history;
    expect(ispHistory).toEqual([
      {
        eventType: 'IspCreated',
        reason: 'new customer ISP',
        changes: [
          { field: 'origin', after: 'CUSTOM' },
          { field: 'name', after: 'Acme Mail' },
          { field: 'domains', after: ['acme.example'] },
        ],
      },
    ]);
  });
});

describe('the audit log', () => {
  const log = async (variables: Record<string, unknown>) => (await admin(AUDIT_LOG, variables)).auditLog;

  it('lists every event of rules and tokens newest first, in pages (not the claims on reservation streams)', async () => {
    const all = await log({ first: 500 });
    const head = String(service.app.runner.checkpoint);
    const inLog: { streamId: string; position: bigint }[] = [];
    for await (const event of service.app.store.readAll()) inLog.push(event);
    const ofRules = inLog.filter((event) => !isReservationStream(event.streamId));
    expect(ofRules.length).toBeLessThan(inLog.length);
    expect(all.totalCount).toBe(ofRules.length);
    expect(all.edges[0].node.position).toBe(head);
    const positionsSeen = all.edges.map((e: any) => BigInt(e.node.position));
    expect(positionsSeen).toEqual([...positionsSeen].sort((a, b) => (a > b ? -1 : 1)));
    expect(all.edges[0].node).toMatchObject({
      eventType: 'BouncePatternRestored',
      changes: [{ field: 'deleted', before: true, after: false }],
    });

    const page1 = await log({ first: 3 });
    expect(page1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const page2 = await log({ first: 3, after: page1.pageInfo.endCursor });
    expect(page2.pageInfo.hasPreviousPage).toBe(true);
    expect([...page1.edges, ...page2.edges].map((e: any) => e.node.position)).toEqual(
      all.edges.slice(0, 6).map((e: any) => e.node.position),
    );

    const oldest = await log({ first: 1, order: 'OLDEST_FIRST' });
    expect(oldest.edges[0].node.position).toBe(String(ofRules[0]!.position));
  });

  it('filters by pattern, ISP, actor, event type and time', async () => {
    const ofPattern = await log({ filter: { patternId: unknown.id } });
    expect(ofPattern.totalCount).toBe(4);
    expect(ofPattern.edges[0].node.eventType).toBe('BouncePatternReverted');

    const ofIsp = await log({ filter: { ispId: acme.id } });
    expect(ofIsp.edges.map((e: any) => e.node.eventType)).toEqual(['IspCreated']);

    const both = await log({ filter: { patternId: full.id, ispId: acme.id }, order: 'OLDEST_FIRST' });
    expect(both.edges.map((e: any) => e.node.eventType)).toEqual([
      'IspCreated',
      'BouncePatternCreated',
      'BouncePatternDeleted',
      'BouncePatternRestored',
    ]);

    const adminId = ofPattern.edges[0].node.actor.id;
    const byAdmin = await log({ filter: { actor: adminId } });
    const bySystem = await log({ filter: { actor: 'system' } });
    expect(byAdmin.totalCount + bySystem.totalCount).toBe((await log({})).totalCount);
    expect(bySystem.edges.map((e: any) => e.node.eventType)).toEqual(['ApiTokenCreated']);
    // The token's secret hash never reaches the audit trail.
    expect(JSON.stringify(bySystem.edges[0].node.changes)).not.toMatch(/secret/i);

    const edits = await log({ filter: { eventTypes: ['BouncePatternEdited', 'BouncePatternReverted'] } });
    expect(edits.edges.map((e: any) => e.node.eventType)).toEqual([
      'BouncePatternReverted',
      'BouncePatternEdited',
      'BouncePatternEdited',
    ]);

    const day2 = await log({ filter: { from: '2024-03-02T00:00:00Z', to: END_OF.day2 } });
    expect(day2.edges.map((e: any) => e.node.occurredAt)).toEqual([
      '2024-03-02T11:00:00.000Z',
      '2024-03-02T10:00:00.000Z',
    ]);
  });
});

describe('who may look into the past', () => {
  it('classify asOf and history need readAudit; plain classify does not', async () => {
    const tokenOf = async (role: string) =>
      bearer((await admin(CREATE_TOKEN, { input: { name: `${role} for audit`, role } })).createApiToken.secret);
    const mta = await tokenOf('MTA');
    const variables = { reply: '550 user unknown', recipient: 'bob@acme.example' };
    expect((await gqlData(service.url, CLASSIFY_AS_OF, variables, mta)).classify.type).toBe('HARD_BOUNCE');
    const refused = await gqlError(service.url, CLASSIFY_AS_OF, { ...variables, asOf: { at: END_OF.day2 } }, mta);
    expect(refused.extensions?.code).toBe('FORBIDDEN');

    const viewer = await tokenOf('VIEWER');
    const history = await gqlError(
      service.url,
      `query($id: ID!) { bouncePattern(id: $id) { id history { eventType } } }`,
      { id: unknown.id },
      viewer,
    );
    expect(history.extensions?.code).toBe('FORBIDDEN');
    const auditor = await tokenOf('AUDITOR');
    expect(
      (await gqlData(service.url, CLASSIFY_AS_OF, { ...variables, asOf: { at: END_OF.day2 } }, auditor)).classify.type,
    ).toBe('BOUNCE');
  });
});
