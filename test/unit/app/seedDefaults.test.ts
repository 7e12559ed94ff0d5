import { describe, expect, it } from 'vitest';
import { App } from '../../../src/app/app.js';
import { seedDefaults } from '../../../src/app/seedDefaults.js';
import type { DefaultBouncePattern } from '../../../src/domain/defaults/bouncePatterns.js';
import { DEFAULT_ISPS } from '../../../src/domain/defaults/isps.js';
import type { DefaultsRelease } from '../../../src/domain/defaults/release.js';
import type { Actor } from '../../../src/domain/types.js';
import { MemoryEventStore } from '../../../src/eventstore/memory.js';

const OPERATOR: Actor = { id: 'token-ops', name: 'ops', kind: 'token' };

const rule = (id: string, pattern: string, priority = 500): DefaultBouncePattern => ({
  id: `default-${id}`,
  name: id,
  type: 'HARD_BOUNCE',
  ispId: null,
  pattern,
  message: `${id} message`,
  priority,
  enabled: true,
});

const release1: DefaultsRelease = {
  release: 'r1',
  isps: DEFAULT_ISPS.slice(0, 2),
  patterns: [
    rule('kept', 'user unknown'),
    rule('improved', 'no such user'),
    rule('operator-edited', 'mailbox not found'),
    rule('removed', 'invalid recipient'),
  ],
};
// Release 2 improves two defaults (one of them an operator has since edited), adds one, drops one.
const release2: DefaultsRelease = {
  release: 'r2',
  isps: DEFAULT_ISPS.slice(0, 3),
  patterns: [
    rule('kept', 'user unknown'),
    rule('improved', 'no such (?:user|mailbox)'),
    rule('operator-edited', 'mailbox (?:not found|unavailable)'),
    rule('added', 'account disabled', 550),
  ],
};

async function eventCount(store: MemoryEventStore): Promise<number> {
  let n = 0;
  for await (const _ of store.readAll()) n++;
  return n;
}

const trail = async (app: App, id: string) =>
  (await app.audit.patternHistory(`default-${id}`)).map((entry) => ({
    version: entry.version,
    eventType: entry.eventType,
    actor: entry.actor.id,
    reason: entry.reason,
    changes: entry.changes.map(({ field, after }) => `${field}=${after}`),
  }));

describe('shipped defaults across releases', () => {
  it('release 2 updates what no operator changed, adds, disables what it dropped, and leaves edits alone', async () => {
    const store = new MemoryEventStore();
    const first = new App(store, { defaults: release1 });
    await first.start();
    expect(first.bouncePatterns.get('default-kept')).toMatchObject({
      origin: 'DEFAULT',
      version: 1,
      createdBy: { id: 'system', kind: 'system' },
    });
    expect(first.shippedDefaults.differing()).toEqual([]);

    // The operator tightens one default; a restart of release 1 writes nothing.
    await first.bouncePatterns.edit(
      'default-operator-edited',
      1,
      { pattern: 'mailbox not found here', priority: 505 },
      { actor: OPERATOR, reason: 'too broad for us' },
    );
    expect(first.shippedDefaults.differing().map((row) => row.id)).toEqual(['default-operator-edited']);
    const before = await eventCount(store);
    expect(await seedDefaults(first.runner, first.isps, first.bouncePatterns, release1)).toEqual({
      installed: 0,
      updated: 0,
      disabled: 0,
    });
    expect(await eventCount(store)).toBe(before);
    await first.runner.stop();

    // Release 2 starts on the same log.
    const second = new App(store, { defaults: release2 });
    await second.start();
    const get = (id: string) => second.bouncePatterns.get(`default-${id}`)!;
    expect(get('kept')).toMatchObject({ version: 1, pattern: 'user unknown', enabled: true });
    expect(get('improved')).toMatchObject({ version: 2, pattern: 'no such (?:user|mailbox)', enabled: true });
    expect(get('operator-edited')).toMatchObject({ version: 2, pattern: 'mailbox not found here', priority: 505 });
    expect(get('added')).toMatchObject({ version: 1, pattern: 'account disabled', origin: 'DEFAULT' });
    expect(get('removed')).toMatchObject({ version: 2, enabled: false, deleted: false, pattern: 'invalid recipient' });
    expect(second.isps.get(DEFAULT_ISPS[2]!.id)).toBeDefined();
    // What differs from release 2 is the operator's edit alone (a dropped default, disabled, is as shipped).
    expect(second.shippedDefaults.differing().map((row) => row.id)).toEqual(['default-operator-edited']);

    expect(await trail(second, 'improved')).toEqual([
      expect.objectContaining({ version: 1, eventType: 'BouncePatternCreated', actor: 'system' }),
      {
        version: 2,
        eventType: 'BouncePatternEdited',
        actor: 'system',
        reason: 'changed in defaults release r2',
        changes: ['pattern=no such (?:user|mailbox)'],
      },
    ]);
    expect((await trail(second, 'removed')).at(-1)).toEqual({
      version: 2,
      eventType: 'BouncePatternEdited',
      actor: 'system',
      reason: 'defaults release r2 no longer ships this rule',
      changes: ['enabled=false'],
    });
    expect((await trail(second, 'operator-edited')).map((entry) => [entry.actor, entry.reason])).toEqual([
      ['system', 'shipped with defaults release r1'],
      ['token-ops', 'too broad for us'],
    ]);
    expect(await trail(second, 'added')).toEqual([
      expect.objectContaining({ actor: 'system', reason: 'shipped with defaults release r2' }),
    ]);

    // The operator takes the shipped version: the default follows later releases again.
    await second.shippedDefaults.take('default-operator-edited', 2, { actor: OPERATOR });
    expect(get('operator-edited')).toMatchObject({ version: 3, pattern: 'mailbox (?:not found|unavailable)' });
    expect((await trail(second, 'operator-edited')).at(-1)).toMatchObject({
      actor: 'token-ops',
      reason: 'takes the default as release r2 ships it',
    });
    expect(second.shippedDefaults.differing()).toEqual([]);
    await second.runner.stop();

    const release3 = {
      ...release2,
      release: 'r3',
      patterns: release2.patterns.map((p) => (p.id === 'default-operator-edited' ? { ...p, priority: 501 } : p)),
    };
    const third = new App(store, { defaults: release3 });
    await third.start();
    expect(third.bouncePatterns.get('default-operator-edited')).toMatchObject({ version: 4, priority: 501 });
    // A dropped default stays disabled; a release that ships it again brings it back.
    expect(third.bouncePatterns.get('default-removed')).toMatchObject({ version: 2, enabled: false });
    await third.stop();
  });

  it('refuses to take a shipped version of a custom pattern, writing nothing', async () => {
    const store = new MemoryEventStore();
    const app = new App(store, { defaults: release1 });
    await app.start();
    const { row } = await app.bouncePatterns.create(
      { ...rule('mine', 'mine'), enabled: true },
      { actor: OPERATOR },
      'CUSTOM',
    );
    const before = await eventCount(store);
    await expect(app.shippedDefaults.take(row.id, undefined, { actor: OPERATOR })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    expect(await eventCount(store)).toBe(before);
    expect(app.shippedDefaults.differs(row)).toBe(false);
    await app.stop();
  });
});
