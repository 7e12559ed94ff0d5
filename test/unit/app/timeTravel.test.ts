import { describe, expect, it } from 'vitest';
import { App } from '../../../src/app/app.js';
import { History, MAX_SNAPSHOTS } from '../../../src/app/history.js';
import { ReadModel } from '../../../src/app/readModel.js';
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
    // Times past year 9999 (which ISO text would sort first) still stand after every event.
    const farFuture = new Date('+010000-01-01T00:00:00Z');
    expect((await app.audit.bouncePatternsAsOf({ at: farFuture })).position).toBe(app.runner.checkpoint);
    expect((await app.audit.log({ from: farFuture })).totalCount).toBe(0);
    // The first admin token, two creations, two edits.
    expect((await app.audit.log({ to: farFuture })).totalCount).toBe(5);
    await app.stop();
  });
});

describe('snapshots of the read model', () => {
  /** The positions of the snapshots kept, found by asking for the one at or before every position. */
  function snapshotsAfter(events: number): bigint[] {
    const history = new History();
    const model = new ReadModel();
    for (let position = 1; position <= events; position++) {
      model.position = BigInt(position);
      history.record(model);
    }
    const kept = new Set<bigint>();
    for (let position = 1; position <= events; position++) {
      const snapshot = history.snapshotAt(BigInt(position));
      if (snapshot) kept.add(snapshot.position!);
    }
    return [...kept];
  }

  it('are at most MAX_SNAPSHOTS however long the log, thinned to an even spacing', () => {
    expect(snapshotsAfter(10_000)).toEqual(Array.from({ length: 10 }, (_, i) => BigInt((i + 1) * 1_000)));
    const long = snapshotsAfter(100_000);
    expect(long.length).toBeLessThanOrEqual(MAX_SNAPSHOTS);
    // After two thinnings the spacing is 4,000 events, from the start of the log to its end.
    expect(long).toEqual(Array.from({ length: 25 }, (_, i) => BigInt((i + 1) * 4_000)));
  });
});
