import { describe, expect, it } from 'vitest';
import { App } from '../../../src/app/app.js';
import type { Actor, BouncePatternFields } from '../../../src/domain/types.js';
import { MemoryEventStore } from '../../../src/eventstore/memory.js';

const actor: Actor = { id: 'user-1', name: 'Ada Admin', kind: 'user' };

describe('matchers of past moments', () => {
  it('match with the patterns of their moment, though they reuse what the live matcher compiled', async () => {
    const app = new App(new MemoryEventStore(), { seed: false });
    await app.start();
    const fields: BouncePatternFields = {
      ...{ name: 'moving', type: 'HARD_BOUNCE', ispId: null, pattern: 'alpha', message: 'm' },
      ...{ priority: 100, enabled: true },
    };
    const kept = await app.bouncePatterns.create({ ...fields, name: 'kept', pattern: 'kept' }, { actor });
    const moving = await app.bouncePatterns.create(fields, { actor });
    await app.bouncePatterns.edit(moving.row.id, 1, { pattern: 'beta' }, { actor });
    await app.bouncePatterns.edit(kept.row.id, 1, { priority: 7 }, { actor });

    const past = await app.audit.matcherAsOf({ position: moving.position });
    const verdict = (reply: string) => past.classify({ reply: `550 ${reply}` }).rule?.name ?? null;
    expect([verdict('alpha'), verdict('beta'), verdict('kept')]).toEqual(['moving', null, 'kept']);
    const live = (reply: string) => app.runner.matcher.classify({ reply: `550 ${reply}` }).rule?.name ?? null;
    expect([live('alpha'), live('beta'), live('kept')]).toEqual([null, 'moving', 'kept']);
    expect(past.classify({ reply: '550 kept' }).rulesetVersion).toBe(moving.position);
    await app.stop();
  });
});
