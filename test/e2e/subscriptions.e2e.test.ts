import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/domain/types.js';
import { loadConfig } from '../../src/config.js';
import { startService } from '../../src/server.js';
import { ADMIN_TOKEN, bearer, serviceEnv } from '../support/auth.js';
import { gql, gqlData } from '../support/graphqlClient.js';
import { CREATE_PATTERN, EDIT_PATTERN } from '../support/queries.js';
import { scratchDir, startServiceProcess, type ServiceProcess } from '../support/serviceProcess.js';
import { subscribe } from '../support/subscriptions.js';

const PATTERN_CHANGED = `subscription($id: ID) {
  bouncePatternChanged(id: $id) { eventType position pattern { id name version deleted } }
}`;
const RULESET_CHANGED = 'subscription { rulesetChanged { rulesetVersion } }';
const AUDIT_ADDED = `subscription($filter: AuditLogFilter) {
  auditEntryAdded(filter: $filter) { eventType aggregateId actor { name } reason }
}`;
const CREATE_TOKEN = `mutation($name: String!, $role: Role!) {
  createApiToken(input: { name: $name, role: $role }) { secret }
}`;
const input = (name: string) => ({
  name,
  type: 'HARD_BOUNCE' as const,
  pattern: `${name} unknown`,
  message: 'No such user',
});

const scratch = scratchDir();
let a: ServiceProcess;
let b: ServiceProcess;
let mtaToken: string;

beforeAll(async () => {
  [a, b] = await Promise.all([
    startServiceProcess(serviceEnv(scratch.sqlitePath)),
    startServiceProcess(serviceEnv(scratch.sqlitePath)),
  ]);
  mtaToken = (await gqlData(a.url, CREATE_TOKEN, { name: 'mta-1', role: 'MTA' })).createApiToken.secret;
  // B knows the token once it has applied A's event.
  while ((await gql(b.url, '{ me { role } }', {}, bearer(mtaToken))).errors)
    await new Promise((resolve) => setTimeout(resolve, 20));
});

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  scratch.cleanup();
});

describe('subscriptions over WebSocket, between replicas', () => {
  it('a change made through replica A reaches the subscribers of replica B within a second', async () => {
    const patterns = subscribe(b.url, PATTERN_CHANGED);
    const ruleset = subscribe(b.url, RULESET_CHANGED, {}, mtaToken);
    const audit = subscribe(b.url, AUDIT_ADDED, { filter: { eventTypes: ['BouncePatternEdited'] } });
    try {
      await new Promise((resolve) => setTimeout(resolve, 300)); // the subscriptions are registered
      const started = performance.now();
      const created = (await gqlData(a.url, CREATE_PATTERN, { input: input('replica-a') })).createBouncePattern.pattern;
      const change = await patterns.next((m) => m.data?.bouncePatternChanged.pattern.id === created.id, 1_000);
      expect(performance.now() - started).toBeLessThan(1_000);
      expect(change.data.bouncePatternChanged).toMatchObject({
        eventType: 'BouncePatternCreated',
        pattern: { id: created.id, name: 'replica-a', version: 1, deleted: false },
      });
      const version = await ruleset.next(
        (m) => BigInt(m.data?.rulesetChanged.rulesetVersion ?? 0) >= BigInt(change.data.bouncePatternChanged.position),
        1_000,
      );
      expect(version.errors).toBeUndefined();

      // Filtered: the audit subscriber heard the edit, not the creation.
      await gqlData(a.url, EDIT_PATTERN, { id: created.id, expectedVersion: 1, input: { priority: 7 }, reason: 'why' });
      const entry = await audit.next((m) => m.data?.auditEntryAdded.aggregateId === created.id, 1_000);
      expect(entry.data.auditEntryAdded).toMatchObject({ eventType: 'BouncePatternEdited', reason: 'why' });
      expect(audit.received.every((m) => m.data?.auditEntryAdded.eventType === 'BouncePatternEdited')).toBe(true);
    } finally {
      await Promise.all([patterns.stop(), ruleset.stop(), audit.stop()]);
    }
  });

  it('refuses a connection without a valid token, and a subscription the role may not read', async () => {
    const anonymous = subscribe(b.url, RULESET_CHANGED, {}, null);
    expect((await anonymous.closed).code).toBe(4403);
    const forged = subscribe(b.url, RULESET_CHANGED, {}, 'bp_not_a_token_at_all_0123456789');
    expect((await forged.closed).code).toBe(4403);

    const mta = subscribe(b.url, PATTERN_CHANGED, {}, mtaToken);
    try {
      const refused = await mta.next((m) => Boolean(m.errors));
      expect(refused.errors![0]!.extensions?.code).toBe('FORBIDDEN');
    } finally {
      await mta.stop();
    }
  });

  it('applies the query limits to subscription documents', async () => {
    const deep = `subscription { bouncePatternChanged { pattern { isp { patterns { isp { patterns { isp { patterns {
      isp { patterns { isp { name } } } } } } } } } } } }`;
    const tooDeep = subscribe(b.url, deep, {}, ADMIN_TOKEN);
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: eventType`).join(' ');
    const tooManyAliases = subscribe(b.url, `subscription { bouncePatternChanged { ${aliases} } }`);
    try {
      expect((await tooDeep.next((m) => Boolean(m.errors))).errors![0]!.extensions?.code).toBe('QUERY_TOO_DEEP');
      expect((await tooManyAliases.next((m) => Boolean(m.errors))).errors![0]!.extensions?.code).toBe(
        'TOO_MANY_ALIASES',
      );
    } finally {
      await Promise.all([tooDeep.stop(), tooManyAliases.stop()]);
    }
  });
});

describe('a subscriber that does not read', () => {
  it('is cut off with a reason once its queue is full, and the server keeps no more of it', async () => {
    const own = scratchDir();
    const service = await startService(
      loadConfig({
        ...serviceEnv(own.sqlitePath),
        PORT: '0',
        NODE_ENV: 'test',
        SUBSCRIPTION_QUEUE_LIMIT: '50',
        SUBSCRIPTION_BUFFER_BYTES: '1048576',
        // Pings would drop the paused client after a while anyway: here the bounds alone must cut it off.
        SUBSCRIPTION_KEEPALIVE_MS: '600000',
      }),
    );
    const { app, feed } = service;
    // Long messages (a long text, asked for 25 times) fill the kernel's buffers within a few dozen events;
    // then the connection's own send buffer grows until its bound.
    const fields = { ...input('slow'), ispId: null, message: 'x'.repeat(1_900), priority: 1, enabled: true };
    const { row } = await app.bouncePatterns.create(fields, { actor: SYSTEM_ACTOR });
    const copies = Array.from({ length: 25 }, (_, i) => `m${i}: pattern { message }`).join(' ');
    let reader: { pause(): void; resume(): void } | undefined;
    const slow = subscribe(
      service.url,
      `subscription { bouncePatternChanged { ${copies} } }`,
      {},
      ADMIN_TOKEN,
      (socket) => {
        reader = socket;
        reader.pause();
      },
    );
    try {
      while (feed.subscriberCount === 0) await new Promise((resolve) => setTimeout(resolve, 10));
      const heapBefore = process.memoryUsage().heapUsed;
      const started = performance.now();
      let version = row.version;
      let edits = 0;
      while (feed.subscriberCount > 0 && edits < 20_000) {
        const priority = (edits++ % 1_000) + 2;
        ({ version } = await app.bouncePatterns.edit(row.id, version, { priority }, { actor: SYSTEM_ACTOR }));
      }
      expect(feed.subscriberCount).toBe(0);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
      console.log(`slow subscriber cut off after ${edits} events (${Math.round(performance.now() - started)} ms)`);
      // Reading again, the client gets what was sent, then learns why the server closed.
      reader!.resume();
      const closed = await Promise.race([
        slow.closed,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not closed')), 10_000)),
      ]);
      expect(closed.code).toBe(4429);
      expect(closed.reason).toMatch(/too slow/);
    } finally {
      await slow.stop();
      await service.stop();
      own.cleanup();
    }
  });
});
