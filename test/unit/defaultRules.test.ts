import { readFileSync } from 'node:fs';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { compileMatcher, type MatcherRule } from '../../projections/matcher.js';
import { BOUNCE_TYPES, type BounceType } from '../../src/domain/types.js';
import { LIMITS } from '../../src/domain/limits.js';
import { BOUNCE_PATTERN_FIELDS, ISP_FIELDS, validateFields } from '../../src/domain/validation.js';
import { DEFAULT_BOUNCE_PATTERNS, DEFAULT_ISPS } from '../../src/domain/defaults/index.js';

/** A real reply with the verdict the labelling rules (test/fixtures/README.md) give it. */
interface LabelledReply {
  readonly reply: string;
  readonly recipientDomain: string | null;
  readonly expected: BounceType;
  readonly kind: string;
  readonly language: string;
  /** Public corpus: 1 = looked at while broadening the rules, 2 = labelled and measured before any change. */
  readonly batch?: number;
}

const readJsonLines = <T>(name: string): T[] =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);

// The development set (a copy of the shared corpus: CI only has the repo); its lines carry no kind.
const devSet: LabelledReply[] = readJsonLines<{
  response: string;
  recipientDomain: string | null;
  expected: BounceType;
}>('replies.dev.jsonl').map((line) => ({
  reply: line.response,
  recipientDomain: line.recipientDomain,
  expected: line.expected,
  kind: '-',
  language: '-',
}));
// Our own corpus of public replies, kept apart from the development set.
const publicSet: LabelledReply[] = readJsonLines<{
  reply: string;
  recipientDomain: string | null;
  verdict: BounceType;
  kind: string;
  language: string;
  batch: number;
}>('replies.public.jsonl').map((line) => ({ ...line, expected: line.verdict }));

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

  function measure(name: string, replies: readonly LabelledReply[]) {
    const confusion = new Map<BounceType, Map<BounceType, number>>(
      BOUNCE_TYPES.map((expected) => [expected, new Map(BOUNCE_TYPES.map((actual) => [actual, 0]))]),
    );
    const misses: string[] = [];
    for (const reply of replies) {
      const verdict = matcher.classify({ reply: reply.reply, recipient: reply.recipientDomain });
      const row = confusion.get(reply.expected)!;
      row.set(verdict.type, row.get(verdict.type)! + 1);
      if (verdict.type !== reply.expected)
        misses.push(
          `[${reply.kind}/${reply.language}] expected ${reply.expected}, got ${verdict.type} (${verdict.rule?.id ?? verdict.matchedBy}): ${reply.reply.slice(0, 160)}`,
        );
    }
    const agreement = (replies.length - misses.length) / replies.length;
    console.log(`${name}: ${replies.length} replies, ${(agreement * 100).toFixed(1)}% agreement`);
    console.table(
      Object.fromEntries(
        BOUNCE_TYPES.map((expected) => [`expected ${expected}`, Object.fromEntries(confusion.get(expected)!)]),
      ),
    );
    if (misses.length > 0) console.log(`${name} disagreements:\n${misses.join('\n')}`);
    return {
      agreement,
      falseHard: confusion.get('SOFT_BOUNCE')!.get('HARD_BOUNCE')! + confusion.get('BOUNCE')!.get('HARD_BOUNCE')!,
    };
  }

  it('classify the development set: at least 98% agreement and no false hard bounce', () => {
    const { agreement, falseHard } = measure('development set', devSet);
    expect(falseHard, 'replies that are not hard bounces classified hard').toBe(0);
    expect(agreement).toBeGreaterThanOrEqual(0.98);
  });

  it('classify the public corpus: at least 96% agreement and no false hard bounce', () => {
    const { agreement, falseHard } = measure('public corpus', publicSet);
    expect(falseHard, 'replies that are not hard bounces classified hard').toBe(0);
    expect(agreement).toBeGreaterThanOrEqual(0.96);
  });

  it('classify the held-out batches of the public corpus: no false hard bounce', () => {
    const { agreement, falseHard } = measure(
      'public corpus, held-out batches',
      publicSet.filter((reply) => (reply.batch ?? 1) >= 2),
    );
    expect(falseHard, 'replies that are not hard bounces classified hard').toBe(0);
    expect(agreement).toBeGreaterThanOrEqual(0.9);
  });

  it('the public corpus holds at least 300 replies in at least nine languages, none from the development set', () => {
    expect(publicSet.length).toBeGreaterThanOrEqual(300);
    expect(new Set(publicSet.map((reply) => reply.language)).size).toBeGreaterThanOrEqual(9);
    const dev = new Set(devSet.map((reply) => reply.reply.trim()));
    expect(publicSet.filter((reply) => dev.has(reply.reply.trim()))).toEqual([]);
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
    // A provider documents its 5xx rate limits as temporary.
    [
      'SOFT_BOUNCE',
      '550 5.4.5 Daily user sending limit exceeded. For more information on Gmail sending limits, go to Gmail sending limits.',
      'gmail.com',
    ],
    ['SOFT_BOUNCE', "5.2.122 Recipient's per hour message receive limit exceeded.", null],
    // Mailbox full is soft whatever the code and whatever the words.
    ['SOFT_BOUNCE', '550 5.2.5 Folder full', null],
    [
      'SOFT_BOUNCE',
      '550 Benutzer hat das Speichervolumen ueberschritten. / User has exhausted allowed storage space.',
      null,
    ],
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
    // A 5.1.x code about the sender: the recipient is fine.
    ['BOUNCE', '550 5.1.1 <list@example.com> sender is blacklisted', null],
    ['BOUNCE', '550 5.1.1 <list@example.com>: Sender address rejected: User unknown in local sender table', null],
    ['BOUNCE', '550 message sending for this account is disabled', 'mail.ru'],
    // Earned hard bounces, also under a 5.7.x code and without any code.
    ['HARD_BOUNCE', '554 5.7.1 <user@example.com>: Recipient address rejected: User unknown', null],
    [
      'HARD_BOUNCE',
      '550 5.7.13 STOREDRV.Deliver.Exception:AccountDisabledException.MapiExceptionADUserDisabledAndHidden; Failed to process message due to a permanent exception',
      null,
    ],
    ['HARD_BOUNCE', 'All relevant MX records point to non-existent hosts', null],
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

  // Two replies in other languages per verdict (from the public corpus).
  it.each([
    ['HARD_BOUNCE', '该用户不存在'],
    [
      'HARD_BOUNCE',
      'Ihre Nachricht an equel@swipnet.se konnte nicht zugestellt werden. -- equel wurde nicht in swipnet.se gefunden.',
    ],
    ['HARD_BOUNCE', 'Usuario inexistente'],
    ['SOFT_BOUNCE', '收件人空间不足'],
    [
      'SOFT_BOUNCE',
      'Не удалось выполнить доставку следующим получателям или группам: cs@example.ru Почтовый ящик получателя переполнен и в данный момент не может принимать сообщения.',
    ],
    ['SOFT_BOUNCE', '421 mwinf... ME Service refuse. Veuillez essayer plus tard.'],
    ['BOUNCE', 'Не удалось выполнить доставку следующим получателям. Remote server returned 550 5.7.708'],
    [
      'BOUNCE',
      'Remote host said: / Zdalny host odpowiedzial: 550-5.7.1 [10.0.33.118 12] Our system has detected that this message is 550-5.7.1 likely unsolicited mail.',
    ],
  ] as const)('in another language, %s: %s', (expected, reply) => {
    expect(matcher.classify({ reply, recipient: null }).type).toBe(expected);
  });

  // About the sender, in other languages: the recipient is fine, so never a hard bounce.
  it.each([
    '554 Domínio do remetente não existe',
    '550 Ihr Konto wurde gesperrt',
    "550 5.1.8 Adresse de l'expéditeur inconnue",
    '550 Отправитель не найден',
  ])('about the sender, not hard: %s', (reply) => {
    expect(matcher.classify({ reply, recipient: null }).type).toBe('BOUNCE');
  });
});
