import { readFileSync } from 'node:fs';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { compileMatcher, type MatcherRule } from '../../projections/matcher.js';
import { BOUNCE_TYPES, type BounceType } from '../../src/domain/types.js';
import { LIMITS } from '../../src/domain/limits.js';
import { BOUNCE_PATTERN_FIELDS, ISP_FIELDS, validateFields } from '../../src/domain/validation.js';
import { DEFAULT_BOUNCE_PATTERNS, DEFAULT_ISPS } from '../../src/domain/defaults/index.js';

// Real replies labelled by the rules in DESIGN.md (a copy of the shared corpus: CI only has the repo).
interface LabelledReply {
  readonly response: string;
  readonly recipientDomain: string | null;
  readonly expected: BounceType;
  readonly source: string;
}

const corpus: LabelledReply[] = readFileSync(new URL('../fixtures/replies.dev.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as LabelledReply);

// Creation order is the shipping order: the array index breaks priority ties.
const rules: MatcherRule[] = DEFAULT_BOUNCE_PATTERNS.map((pattern, index) => ({
  ...pattern,
  createdPosition: BigInt(index),
}));
const matcher = compileMatcher(rules, DEFAULT_ISPS, BigInt(rules.length));

const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

describe('default ISPs', () => {
  it('have unique slug ids and valid fields', () => {
    const ids = DEFAULT_ISPS.map((isp) => isp.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const isp of DEFAULT_ISPS) {
      expect(isp.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(() => validateFields(ISP_FIELDS, isp, { complete: true })).not.toThrow();
    }
  });

  it('list valid lower-case domains, each in one ISP only', () => {
    const owner = new Map<string, string>();
    for (const isp of DEFAULT_ISPS) {
      for (const domain of isp.domains) {
        expect(domain, `${isp.id}: ${domain}`).toMatch(DOMAIN);
        expect(owner.get(domain), `${domain} is in ${owner.get(domain)} and ${isp.id}`).toBeUndefined();
        owner.set(domain, isp.id);
      }
    }
  });

  it('cover the big mailbox providers', () => {
    const ispOf = (domain: string) => DEFAULT_ISPS.find((isp) => isp.domains.includes(domain))?.id;
    expect(ispOf('gmail.com')).toBe('gmail');
    expect(ispOf('hotmail.com')).toBe('microsoft');
    expect(ispOf('mail.protection.outlook.com')).toBe('office365');
    expect(ispOf('aol.com')).toBe('yahoo');
    expect(ispOf('me.com')).toBe('icloud');
    expect(ispOf('bk.ru')).toBe('mailru');
    expect(ispOf('ya.ru')).toBe('yandex');
    expect(ispOf('web.de')).toBe('gmx');
    expect(ispOf('comcast.net')).toBe('comcast');
    expect(ispOf('wanadoo.fr')).toBe('orange');
    expect(ispOf('foxmail.com')).toBe('qq');
  });
});

describe('default bounce patterns', () => {
  it('have unique ids and valid fields', () => {
    const ids = DEFAULT_BOUNCE_PATTERNS.map((pattern) => pattern.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const pattern of DEFAULT_BOUNCE_PATTERNS) {
      expect(pattern.id).toMatch(/^default-[a-z0-9-]+$/);
      expect(BOUNCE_TYPES).toContain(pattern.type);
      expect(pattern.message.trim(), pattern.id).not.toBe('');
      expect(() => validateFields(BOUNCE_PATTERN_FIELDS, pattern, { complete: true }), pattern.id).not.toThrow();
    }
  });

  it('compile in RE2 within the length limit', () => {
    for (const { id, pattern } of DEFAULT_BOUNCE_PATTERNS) {
      expect(pattern.length, id).toBeLessThanOrEqual(LIMITS.patternLength);
      expect(() => new RE2(pattern, 'iu'), id).not.toThrow();
    }
  });

  it('point only to default ISPs', () => {
    const ispIds = new Set(DEFAULT_ISPS.map((isp) => isp.id));
    for (const { id, ispId } of DEFAULT_BOUNCE_PATTERNS) if (ispId !== null) expect(ispIds.has(ispId), id).toBe(true);
  });

  it('are all indexed by a literal, so none runs on every reply', () => {
    expect(matcher.stats.unindexedRules).toBe(0);
    expect(matcher.stats.rules).toBe(DEFAULT_BOUNCE_PATTERNS.length);
  });

  it('classify the labelled corpus: at least 95% agreement and no false hard bounce', () => {
    const confusion = new Map<BounceType, Map<BounceType, number>>(
      BOUNCE_TYPES.map((expected) => [expected, new Map(BOUNCE_TYPES.map((actual) => [actual, 0]))]),
    );
    const disagreements: string[] = [];
    for (const reply of corpus) {
      const verdict = matcher.classify({ reply: reply.response, recipient: reply.recipientDomain });
      const row = confusion.get(reply.expected)!;
      row.set(verdict.type, row.get(verdict.type)! + 1);
      if (verdict.type !== reply.expected)
        disagreements.push(
          `expected ${reply.expected}, got ${verdict.type} (${verdict.rule?.id ?? verdict.matchedBy}): ${reply.response.slice(0, 160)}`,
        );
    }
    const agreement = (corpus.length - disagreements.length) / corpus.length;
    console.log(`default rules on ${corpus.length} labelled replies: ${(agreement * 100).toFixed(1)}% agreement`);
    console.table(
      Object.fromEntries(
        BOUNCE_TYPES.map((expected) => [`expected ${expected}`, Object.fromEntries(confusion.get(expected)!)]),
      ),
    );
    if (disagreements.length > 0) console.log(`disagreements:\n${disagreements.join('\n')}`);

    expect(confusion.get('SOFT_BOUNCE')!.get('HARD_BOUNCE'), 'soft bounces classified hard').toBe(0);
    expect(confusion.get('BOUNCE')!.get('HARD_BOUNCE'), 'bounces classified hard').toBe(0);
    expect(agreement).toBeGreaterThanOrEqual(0.95);
  });

  it.each([
    // 4xx is temporary whatever it says.
    [
      'SOFT_BOUNCE',
      '450 4.1.1 <user@example.com>: Recipient address rejected: User unknown, recipient verification failed, try again',
      null,
    ],
    [
      'SOFT_BOUNCE',
      '421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user complaints',
      'yahoo.com',
    ],
    [
      'SOFT_BOUNCE',
      "Remote Server returned '450 4.1.1 <user@example.com>: Recipient address rejected: User unknown'",
      null,
    ],
    ['SOFT_BOUNCE', '454 4.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org', null],
    // Mailbox full is soft whatever the code.
    ['SOFT_BOUNCE', '552-5.2.2 The email account that you tried to reach is over quota and inactive.', 'gmail.com'],
    ['SOFT_BOUNCE', '550 5.2.2 <user@example.com>: mailbox full', null],
    // Blocked or spam: the address is kept, even under a mailbox code.
    ['BOUNCE', '550 5.1.1 <user@example.com>: message rejected due to spam content', null],
    ['BOUNCE', '550 5.7.1 Service unavailable; client [192.0.2.1] blocked using Spamhaus', null],
    [
      'BOUNCE',
      "550 5.7.1 Unfortunately, messages from [192.0.2.1] weren't sent. Please contact your Internet service provider since part of their network is on our block list (S3150).",
      'hotmail.com',
    ],
    // Earned hard bounces.
    [
      'HARD_BOUNCE',
      "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient's email address for typos or unnecessary spaces.",
      'gmail.com',
    ],
    [
      'HARD_BOUNCE',
      '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup',
      'contoso.com',
    ],
    [
      'HARD_BOUNCE',
      "554 delivery error: dd This user doesn't have a yahoo.com account (user@yahoo.com) [0] - mta1.mail.yahoo.com",
      'yahoo.com',
    ],
    [
      'HARD_BOUNCE',
      '550 Message was not accepted -- invalid mailbox. Local mailbox user@mail.ru is unavailable: user not found',
      'mail.ru',
    ],
  ] as const)('%s: %s', (expected, reply, recipient) => {
    expect(matcher.classify({ reply, recipient }).type).toBe(expected);
  });
});
