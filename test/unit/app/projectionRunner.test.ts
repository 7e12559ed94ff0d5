import { describe, expect, it } from 'vitest';
import { App } from '../../../src/app/app.js';
import { handleCommand } from '../../../src/app/commandHandler.js';
import { bouncePatternDecider } from '../../../src/domain/bouncePattern.js';
import { ANONYMOUS_ACTOR, SYSTEM_ACTOR } from '../../../src/domain/types.js';
import { bouncePatternStream } from '../../../src/domain/streams.js';
import { MemoryEventStore } from '../../../src/eventstore/memory.js';

const clock = () => new Date();

/** A log of `count` patterns, written through the decider as commands would be. */
async function logWithPatterns(count: number): Promise<MemoryEventStore> {
  const store = new MemoryEventStore();
  for (let i = 0; i < count; i++) {
    const patternId = `p${i}`;
    const fields = {
      name: `rule ${i}`,
      type: 'BOUNCE' as const,
      ispId: null,
      pattern: `filler phrase ${i} rejected`,
      message: 'm',
      priority: i % 50,
      enabled: true,
    };
    await handleCommand(
      store,
      bouncePatternDecider,
      bouncePatternStream(patternId),
      { type: 'CreateBouncePattern', patternId, origin: 'CUSTOM', fields },
      { actor: SYSTEM_ACTOR },
      clock,
    );
  }
  return store;
}

describe('the projection runner', () => {
  it('keeps classify on the previous rules while the next matcher is built, then swaps it in whole', async () => {
    const app = new App(await logWithPatterns(5_000), { seed: false });
    await app.start();
    const reply = '550 kangaroo-court refused';
    const before = app.classifier.classify({ reply });
    expect(before.matchedBy).toBe('REPLY_CODE');

    const fields = {
      name: 'kangaroo',
      type: 'HARD_BOUNCE' as const,
      ispId: null,
      pattern: 'kangaroo-court',
      message: 'm',
      priority: 0,
      enabled: true,
    };
    let acknowledged = false;
    const created = app.bouncePatterns
      .create(fields, { actor: ANONYMOUS_ACTOR }, 'CUSTOM', 'kangaroo')
      .then(() => (acknowledged = true));
    // Turn by turn until the create is acknowledged: what do the list and classify say meanwhile?
    let listedWhileOldRulesServed = 0;
    while (!acknowledged) {
      await new Promise((resolve) => setImmediate(resolve));
      const verdict = app.classifier.classify({ reply });
      if (app.bouncePatterns.get('kangaroo') && verdict.matchedBy === 'REPLY_CODE') {
        listedWhileOldRulesServed += 1;
        expect(verdict.rulesetVersion).toBe(before.rulesetVersion);
      }
    }
    await created;
    // The event was in the list while classify still answered from the whole previous rule set...
    expect(listedWhileOldRulesServed).toBeGreaterThan(0);
    // ...and once the create is acknowledged, classify uses it.
    const after = app.classifier.classify({ reply });
    expect(after).toMatchObject({ matchedBy: 'PATTERN', type: 'HARD_BOUNCE', rule: { id: 'kangaroo' } });
    expect(after.rulesetVersion).toBeGreaterThan(before.rulesetVersion!);
    await app.stop();
  });
});
