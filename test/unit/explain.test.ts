import { describe, expect, it } from 'vitest';
import { explainClassification } from '../../projections/explain.js';
import { compileMatcher, type MatcherIsp, type MatcherRule } from '../../projections/matcher.js';
import type { BounceType } from '../../src/domain/types.js';
import { seededRandom } from '../support/random.js';

const ISPS: MatcherIsp[] = [
  { id: 'gmail', name: 'Gmail', domains: ['gmail.com'] },
  { id: 'outlook', name: 'Outlook', domains: ['outlook.com', 'mail.outlook.com'] },
];
const WORDS = 'user unknown mailbox full quota spam blocked rate limit try later dmarc почта müll'.split(' ');
const TYPES: BounceType[] = ['HARD_BOUNCE', 'SOFT_BOUNCE', 'BOUNCE'];
const CODES = ['550 5.1.1', '452 4.2.2', '421', '554 5.7.1', '', '5.2.2'];

function generated(seed: number) {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const patternOf = (): string => {
    const shapes = [
      () => pick(WORDS),
      () => `${pick(WORDS)}\\s+${pick(WORDS)}`,
      () => `(${pick(WORDS)}|${pick(WORDS)})`,
      () => `${pick(WORDS)}.*${pick(WORDS)}`,
      () => `^${pick(['4', '5'])}\\d\\d`,
      () => `\\b5\\.${pick(['1', '2', '7'])}\\.\\d`,
      () => `${pick(WORDS).toUpperCase()} ?\\d*`,
    ];
    return pick(shapes)();
  };
  const rules: MatcherRule[] = Array.from({ length: 1 + Math.floor(random() * 40) }, (_, i) => ({
    id: `r${i}`,
    name: `rule ${i}`,
    type: pick(TYPES),
    ispId: random() < 0.3 ? pick(['gmail', 'outlook', 'gone']) : null,
    pattern: patternOf(),
    message: `message ${i}`,
    priority: Math.floor(random() * 5),
    enabled: random() < 0.85,
    createdPosition: BigInt(i + 1),
  }));
  const requests = Array.from({ length: 50 }, () => ({
    reply: [pick(CODES), ...Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(WORDS))]
      .join(random() < 0.5 ? ' ' : '\r\n550-')
      .replace(/user/g, () => (random() < 0.3 ? 'USER' : 'user'))
      .replace(/почта/g, () => (random() < 0.5 ? 'ПОЧТА' : 'почта'))
      .replace(/müll|spam/g, (word) => (random() < 0.5 ? word.toUpperCase().replace('S', 'ſ') : word)),
    recipient: pick([null, 'a@gmail.com', 'b@mx.mail.outlook.com', 'c@example.org', 'example.org']),
    ispId: random() < 0.1 ? pick(['gmail', 'nowhere']) : null,
  }));
  return { rules, requests };
}

describe('explainClassification agrees with classify', () => {
  it('on every reply, over generated rules and replies (200 rule sets × 50 replies)', () => {
    let decidedByPattern = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const { rules, requests } = generated(seed);
      const matcher = compileMatcher(rules, ISPS, BigInt(seed));
      for (const request of requests) {
        const expected = matcher.classify(request);
        const explained = explainClassification(matcher, rules, request);
        const context = JSON.stringify({ seed, request });
        expect(explained.verdict.type, context).toBe(expected.type);
        expect(explained.verdict.matchedBy, context).toBe(expected.matchedBy);
        expect(explained.verdict.rule?.id ?? null, context).toBe(expected.rule?.id ?? null);
        expect(explained.verdict.isp?.id ?? null, context).toBe(expected.isp?.id ?? null);
        expect(explained.verdict.rulesetVersion).toBe(expected.rulesetVersion);
        const won = explained.trials.filter((trial) => trial.outcome === 'WON');
        expect(won.map((trial) => trial.rule.id)).toEqual(expected.rule ? [expected.rule.id] : []);
        if (expected.rule) decidedByPattern++;
      }
    }
    // The generator must exercise both paths, or the agreement says little.
    expect(decidedByPattern).toBeGreaterThan(2_000);
    expect(decidedByPattern).toBeLessThan(9_000);
  });
});

describe('explainClassification names each decision', () => {
  const rule = (id: string, fields: Partial<MatcherRule>): MatcherRule => ({
    id,
    name: id,
    type: 'BOUNCE',
    ispId: null,
    pattern: 'user unknown',
    message: id,
    priority: 100,
    enabled: true,
    createdPosition: BigInt(id.length),
    ...fields,
  });
  const rules = [
    rule('general', { pattern: 'user unknown', priority: 10, type: 'HARD_BOUNCE' }),
    rule('gmail-own', { pattern: 'unknown', ispId: 'gmail', priority: 500 }),
    rule('later', { pattern: 'recipient', priority: 20 }),
    rule('off', { pattern: 'user', enabled: false }),
    rule('outlook-only', { pattern: 'unknown', ispId: 'outlook' }),
    rule('absent', { pattern: 'mailbox full' }),
  ];
  const matcher = compileMatcher(rules, ISPS, 9n);
  const reply = '550-5.1.1 <x@mx1.gmail.com> recipient\r\n550 5.1.1 user unknown';

  it('the ISP found by a parent domain, the ISP’s own rule first, the later matches, the rules left out', () => {
    const explained = explainClassification(matcher, rules, { reply, recipient: 'x@mx1.gmail.com' });
    expect(explained.normalisedReply).toBe('550 5.1.1 <x@mx1.gmail.com> recipient user unknown');
    expect(explained.ispResolution).toMatchObject({
      foundBy: 'DOMAIN',
      domainsTried: ['mx1.gmail.com', 'gmail.com'],
      domain: 'gmail.com',
    });
    expect(explained.trials.map((t) => [t.rule.id, t.outcome])).toEqual([
      ['gmail-own', 'WON'],
      ['general', 'LOST_TO_EARLIER'],
      ['later', 'LOST_TO_EARLIER'],
      ['off', 'DISABLED'],
      ['outlook-only', 'OTHER_ISP'],
    ]);
    expect(explained.rulesWithTextAbsent).toBe(1);
    expect(explained.fallbackReason).toBeNull();
  });

  it('the fallback’s reasoning when nothing matches', () => {
    const explained = explainClassification(matcher, rules, { reply: '452 4.2.2 over the limit', ispId: 'nowhere' });
    expect(explained.ispResolution.foundBy).toBe('NONE');
    expect(explained.verdict).toMatchObject({ type: 'SOFT_BOUNCE', matchedBy: 'REPLY_CODE', rule: null });
    expect(explained.fallbackReason).toMatch(/452 is a temporary failure/);
    expect(explained.rulesWithTextAbsent).toBe(3); // the All-ISPs rules: no ISP was found
  });
});
