import { describe, expect, it } from 'vitest';
import type { Classification, MatcherRule } from '../../projections/matcher.js';
import { MemoryStatisticsStore } from '../../src/statistics/memory.js';
import { BUCKET } from '../../src/statistics/port.js';
import { HELD_VERDICTS, Statistics } from '../../src/statistics/statistics.js';

const fallback: Classification = {
  type: 'BOUNCE',
  matchedBy: 'NONE',
  rule: null,
  message: '',
  isp: null,
  replyCode: null,
  enhancedStatusCode: null,
  rulesetVersion: null,
};
const rule = { id: 'p1', type: 'HARD_BOUNCE' } as MatcherRule;
const matched: Classification = { ...fallback, type: 'HARD_BOUNCE', matchedBy: 'PATTERN', rule };

/** Letters only, so that masking keeps them apart: 0 → "a", 27 → "bb". */
const word = (i: number) => String.fromCharCode(97 + (i % 26)).repeat(1 + Math.floor(i / 26));

describe('Statistics', () => {
  it('samples the replies of a flush uniformly, each standing for its share of them', async () => {
    const replies = 100;
    const kept = 10;
    const trials = 1_500;
    const times = new Array<number>(replies).fill(0);
    const indexOf = new Map(Array.from({ length: replies }, (_, i) => [word(i), i]));
    for (let trial = 0; trial < trials; trial++) {
      const statistics = new Statistics(new MemoryStatisticsStore(), { repliesPerFlush: kept });
      for (let i = 0; i < replies; i++) statistics.record({ reply: `550 gone ${word(i)}` }, fallback);
      await statistics.flush();
      const sample = await statistics.store.sample(replies);
      expect(sample).toHaveLength(kept);
      expect(sample.reduce((sum, entry) => sum + entry.count, 0)).toBe(replies);
      for (const entry of sample) times[indexOf.get(/gone (\w+)/.exec(entry.template)![1]!)!]!++;
    }
    // Each reply is kept with probability 1/10: 150 times expected, standard deviation about 11.6.
    for (const count of times) expect(count).toBeGreaterThan(150 - 5 * 11.6);
    for (const count of times) expect(count).toBeLessThan(150 + 5 * 11.6);
    const firstHalf = times.slice(0, replies / 2).reduce((a, b) => a + b, 0);
    expect(Math.abs(firstHalf - (trials * kept) / 2)).toBeLessThan(5 * Math.sqrt(trials * kept * 0.25));
  });

  it('counts every verdict, those held for counting included, in the hour the clock gave', async () => {
    let now = Date.UTC(2026, 10, 1, 10, 30);
    const statistics = new Statistics(new MemoryStatisticsStore(), { clock: () => now });
    const hits = 2 * HELD_VERDICTS + 7;
    for (let i = 0; i < hits; i++) statistics.record({ reply: '550 no such user' }, matched);
    // Not flushed yet: what this replica holds is in the pattern's hits at once.
    expect(statistics.patternHits('p1')).toEqual({ total: hits, lastHitAt: now });
    await statistics.flush();
    now += BUCKET.hour;
    for (let i = 0; i < 3; i++) statistics.record({ reply: '550 no such user' }, matched);
    await statistics.flush();
    expect(await statistics.store.hits({ by: ['bucket'], patternId: 'p1' })).toEqual([
      { start: Date.UTC(2026, 10, 1, 10), span: 'hour', count: hits, lastAt: now - BUCKET.hour },
      { start: Date.UTC(2026, 10, 1, 11), span: 'hour', count: 3, lastAt: now },
    ]);
  });
});
