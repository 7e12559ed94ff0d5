import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { foldedCodeOf } from '../../projections/literalIndex.js';
import { analysePattern, compileMatcher, type MatcherIsp, type MatcherRule } from '../../projections/matcher.js';
import { isFoldableLiteralCharacter } from '../../projections/patternLiterals.js';
import { normaliseReply } from '../../src/domain/reply.js';
import { seededRandom } from '../support/random.js';

const GMAIL: MatcherIsp = { id: 'gmail', name: 'Gmail', domains: ['gmail.com', 'googlemail.com'] };
const OUTLOOK: MatcherIsp = { id: 'outlook', name: 'Outlook', domains: ['outlook.com', 'hotmail.com'] };
const ISPS = [GMAIL, OUTLOOK];

let position = 0n;
function rule(fields: Partial<MatcherRule> & Pick<MatcherRule, 'pattern'>): MatcherRule {
  position += 1n;
  return {
    id: `rule-${position}`,
    name: fields.pattern,
    type: 'BOUNCE',
    ispId: null,
    message: `message of ${fields.pattern}`,
    priority: 100,
    enabled: true,
    createdPosition: position,
    ...fields,
  };
}

const USER_UNKNOWN = '550 5.1.1 <someone@gmail.com>: Recipient address rejected: User unknown';

describe('compileMatcher: rule order', () => {
  it('tries the ISP’s own rules before All-ISPs rules, even at a worse priority', () => {
    const general = rule({ pattern: 'user unknown', priority: 1 });
    const gmail = rule({ pattern: 'user unknown', priority: 500, ispId: 'gmail', type: 'HARD_BOUNCE' });
    const matcher = compileMatcher([general, gmail], ISPS, 7n);
    expect(matcher.classify({ reply: USER_UNKNOWN, recipient: 'someone@gmail.com' }).rule).toBe(gmail);
    expect(matcher.classify({ reply: USER_UNKNOWN, recipient: 'someone@example.org' }).rule).toBe(general);
  });

  it('tries lower priorities first', () => {
    const late = rule({ pattern: 'user unknown', priority: 20 });
    const early = rule({ pattern: 'recipient address rejected', priority: 10 });
    expect(compileMatcher([late, early], ISPS, 1n).classify({ reply: USER_UNKNOWN }).rule).toBe(early);
  });

  it('breaks priority ties by creation order, whatever the input order', () => {
    const first = rule({ pattern: 'user unknown' });
    const second = rule({ pattern: 'address rejected' });
    expect(compileMatcher([second, first], ISPS, 1n).classify({ reply: USER_UNKNOWN }).rule).toBe(first);
  });

  it('ignores disabled rules', () => {
    const disabled = rule({ pattern: 'user unknown', priority: 1, enabled: false });
    const enabled = rule({ pattern: 'address rejected', priority: 2 });
    expect(compileMatcher([disabled, enabled], ISPS, 1n).classify({ reply: USER_UNKNOWN }).rule).toBe(enabled);
  });

  it('never tries the rules of another ISP', () => {
    const outlook = rule({ pattern: 'user unknown', ispId: 'outlook', priority: 1 });
    const matcher = compileMatcher([outlook], ISPS, 1n);
    expect(matcher.classify({ reply: USER_UNKNOWN, recipient: 'someone@gmail.com' }).matchedBy).toBe('REPLY_CODE');
    expect(matcher.classify({ reply: USER_UNKNOWN }).matchedBy).toBe('REPLY_CODE');
    expect(matcher.classify({ reply: USER_UNKNOWN, recipient: 'someone@hotmail.com' }).rule).toBe(outlook);
  });

  it('skips a rule whose pattern does not compile instead of throwing', () => {
    const broken = rule({ pattern: '(?<=user) unknown', priority: 1 });
    const good = rule({ pattern: 'unknown', priority: 2 });
    const matcher = compileMatcher([broken, good], ISPS, 1n);
    expect(matcher.classify({ reply: USER_UNKNOWN }).rule).toBe(good);
  });
});

describe('compileMatcher: ISP resolution', () => {
  const gmailRule = rule({ pattern: 'user unknown', ispId: 'gmail' });
  const matcher = compileMatcher([gmailRule], ISPS, 3n);

  it('finds the ISP of a sub-domain through its parent domains, case-insensitively', () => {
    const answer = matcher.classify({ reply: USER_UNKNOWN, recipient: 'Someone@MX1.Mail.Gmail.COM' });
    expect(answer.isp).toBe(GMAIL);
    expect(answer.rule).toBe(gmailRule);
  });

  it('accepts a bare domain', () => {
    expect(matcher.classify({ reply: USER_UNKNOWN, recipient: 'googlemail.com' }).isp).toBe(GMAIL);
  });

  it('reads the domain of an address in angle brackets, with a trailing dot, or with spaces around', () => {
    for (const recipient of ['<someone@Gmail.com>', ' someone@gmail.com. ', '<gmail.com.>', '<someone@gmail.com.>'])
      expect(matcher.classify({ reply: USER_UNKNOWN, recipient }).isp, recipient).toBe(GMAIL);
    for (const recipient of ['<>', 'someone@', '@.', '<someone@>', ''])
      expect(matcher.classify({ reply: USER_UNKNOWN, recipient }).isp, recipient).toBeNull();
  });

  it('takes an explicit ISP id over the recipient’s domain', () => {
    const answer = matcher.classify({ reply: USER_UNKNOWN, recipient: 'someone@hotmail.com', ispId: 'gmail' });
    expect(answer.isp).toBe(GMAIL);
    expect(answer.rule).toBe(gmailRule);
  });

  it('resolves no ISP for an unknown ISP id or domain', () => {
    expect(matcher.classify({ reply: USER_UNKNOWN, ispId: 'nope', recipient: 'someone@gmail.com' }).isp).toBeNull();
    expect(matcher.classify({ reply: USER_UNKNOWN, recipient: 'someone@example.com' }).isp).toBeNull();
  });
});

describe('compileMatcher: fallbacks', () => {
  const matcher = compileMatcher([rule({ pattern: 'spam detected', type: 'HARD_BOUNCE' })], ISPS, 42n);

  it('answers SOFT_BOUNCE by reply code for an unmatched 4xx', () => {
    const answer = matcher.classify({ reply: '451 4.7.1 Greylisted, please try again' });
    expect(answer).toMatchObject({
      type: 'SOFT_BOUNCE',
      matchedBy: 'REPLY_CODE',
      rule: null,
      replyCode: '451',
      enhancedStatusCode: '4.7.1',
      rulesetVersion: 42n,
    });
    expect(answer.message).toMatch(/451.*temporary/);
  });

  it('answers SOFT_BOUNCE for an enhanced 4.x.x code when there is no reply code', () => {
    expect(matcher.classify({ reply: '4.2.2 mailbox full' })).toMatchObject({
      type: 'SOFT_BOUNCE',
      matchedBy: 'REPLY_CODE',
    });
  });

  it('answers BOUNCE by reply code for an unmatched 5xx, never HARD_BOUNCE', () => {
    expect(matcher.classify({ reply: USER_UNKNOWN })).toMatchObject({
      type: 'BOUNCE',
      matchedBy: 'REPLY_CODE',
      rule: null,
      replyCode: '550',
    });
  });

  it('answers BOUNCE with NONE when the reply has no code', () => {
    const answer = matcher.classify({ reply: 'Something went wrong' });
    expect(answer).toMatchObject({
      type: 'BOUNCE',
      matchedBy: 'NONE',
      rule: null,
      replyCode: null,
      enhancedStatusCode: null,
    });
    expect(answer.message).toMatch(/no reply code/);
  });

  it('falls back with an empty rule set', () => {
    expect(compileMatcher([], [], null).classify({ reply: '452 mailbox full' })).toMatchObject({
      type: 'SOFT_BOUNCE',
      rulesetVersion: null,
    });
  });
});

describe('compileMatcher: matching', () => {
  it('answers the matched rule with its type, message, ISP, codes and ruleset version', () => {
    const hard = rule({
      pattern: 'user unknown',
      type: 'HARD_BOUNCE',
      message: 'The mailbox does not exist',
      ispId: 'gmail',
    });
    const answer = compileMatcher([hard], ISPS, 9n).classify({ reply: USER_UNKNOWN, recipient: 'x@gmail.com' });
    expect(answer).toEqual({
      type: 'HARD_BOUNCE',
      matchedBy: 'PATTERN',
      rule: hard,
      message: 'The mailbox does not exist',
      isp: GMAIL,
      replyCode: '550',
      enhancedStatusCode: '5.1.1',
      rulesetVersion: 9n,
    });
  });

  it('matches case-insensitively, both ways', () => {
    const upper = rule({ pattern: 'MAILBOX FULL', type: 'SOFT_BOUNCE' });
    const matcher = compileMatcher([upper], ISPS, 1n);
    expect(matcher.classify({ reply: '452 4.2.2 Mailbox Full' }).rule).toBe(upper);
    expect(matcher.classify({ reply: '452 4.2.2 mailbox full' }).rule).toBe(upper);
  });

  it('matches the way RE2 folds case, also for ſ and the Kelvin sign', () => {
    const blocked = rule({ pattern: 'blocked by spamhaus' });
    const matcher = compileMatcher([blocked], ISPS, 1n);
    expect(matcher.classify({ reply: '554 BLOC\u212AED BY \u017FPAMHAUS' }).rule).toBe(blocked);
  });

  it('matches against the normalised reply, across the lines of a multi-line reply', () => {
    const noSuchUser = rule({
      pattern: '^550 5\\.1\\.1 the email account .* does not exist\\. please try double-checking',
    });
    const reply =
      "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n550-5.1.1 double-checking the recipient's email address";
    expect(compileMatcher([noSuchUser], ISPS, 1n).classify({ reply }).rule).toBe(noSuchUser);
  });

  it('matches a rule that has no literal text', () => {
    const anyPermanent = rule({ pattern: '^5\\d\\d', priority: 50 });
    const indexed = rule({ pattern: 'mailbox full', priority: 10 });
    const matcher = compileMatcher([anyPermanent, indexed], ISPS, 1n);
    expect(analysePattern(anyPermanent.pattern).indexed).toBe(false);
    expect(matcher.classify({ reply: '554 5.7.1 Rejected' }).rule).toBe(anyPermanent);
    expect(matcher.classify({ reply: '552 mailbox full' }).rule).toBe(indexed);
    expect(matcher.stats).toMatchObject({ rules: 2, unindexedRules: 1 });
  });

  it('matches an alternation on each of its branches', () => {
    const quota = rule({ pattern: 'quota (exceeded|reached)|over quota|mailbox (is )?full', type: 'SOFT_BOUNCE' });
    const matcher = compileMatcher([quota], ISPS, 1n);
    for (const reply of [
      '552 quota exceeded',
      '552 Quota reached for user',
      '452 user is over quota',
      '452 mailbox full',
      '452 Mailbox is full',
    ])
      expect(matcher.classify({ reply }).rule, reply).toBe(quota);
    expect(matcher.classify({ reply: '452 quota is fine, mailbox is empty' }).rule).toBeNull();
  });

  it('reuses what it can from the previous matcher and still answers from the new rules', () => {
    const kept = rule({ pattern: 'user unknown', priority: 5 });
    const before = compileMatcher([kept], ISPS, 1n);
    const added = rule({ pattern: 'address rejected', priority: 1 });
    const after = compileMatcher([kept, added], ISPS, 2n, before);
    expect(after.classify({ reply: USER_UNKNOWN }).rule).toBe(added);
    expect(before.classify({ reply: USER_UNKNOWN }).rule).toBe(kept);
    expect(after.rulesetVersion).toBe(2n);
  });

  it('answers (a+)+$ against a’s and a ! without catastrophic backtracking', () => {
    const evil = rule({ pattern: '(a+)+$' });
    const matcher = compileMatcher([evil], ISPS, 1n);
    // A backtracking engine would take 2^4000 steps here; RE2 is linear.
    expect(matcher.classify({ reply: `${'a'.repeat(4_000)}!` }).matchedBy).toBe('NONE');
    // 100,000 a's are cut to the reply length bound first, which drops the '!'.
    expect(matcher.classify({ reply: `${'a'.repeat(100_000)}!` }).rule).toBe(evil);
  });

  it('does not match past the reply length bound of a 1 MB reply', () => {
    const tail = rule({ pattern: 'the end' });
    const matcher = compileMatcher([tail], ISPS, 1n);
    expect(matcher.classify({ reply: `550 ${'x '.repeat(500_000)}the end` }).matchedBy).toBe('REPLY_CODE');
    expect(matcher.classify({ reply: '550 this is the end' }).rule).toBe(tail);
  });
});

describe('analysePattern', () => {
  it('finds the literal text every match contains, case-folded', () => {
    expect(analysePattern('Recipient address rejected: User unknown')).toMatchObject({
      literals: ['recipient address rejected: user unknown'],
      indexed: true,
    });
    expect(analysePattern('spam.*\\[TS04\\]').literalSets).toEqual([['spam'], ['[ts04]']]);
    expect(analysePattern('spam.*detected').literals).toEqual(['detected']);
    expect(analysePattern('no such (user|mailbox)s?').literals).toEqual(['no such user', 'no such mailbox']);
    expect(analysePattern('colou?r').literals).toEqual(['color', 'colour']);
  });

  it('reports no literal when every match need not contain one', () => {
    for (const pattern of [
      '^5\\d\\d',
      '(a+)+$',
      'foo|b',
      'u.*',
      '(?i)user unknown',
      '\\Quser\\E',
      '[[:alpha:]]+ unknown x',
      '\\pLser',
    ])
      expect(analysePattern(pattern).indexed, pattern).toBe(false);
  });
});

describe('compileMatcher: the index loses no match', () => {
  it('keeps literals that share the index columns (б and ѱ, ſ and s) apart enough to try both rules', () => {
    const rules = [
      rule({ id: 'bull', pattern: 'бык', priority: 1 }),
      rule({ id: 'psi', pattern: 'ѱык', priority: 2 }),
      rule({ id: 'long-s', pattern: 'ſpam block', priority: 3 }),
      rule({ id: 'plain-s', pattern: 'spam trap', priority: 4 }),
    ];
    const matcher = compileMatcher(rules, [], 1n);
    const ruleOf = (reply: string) => matcher.classify({ reply }).rule?.id ?? null;
    expect([ruleOf('550 бык'), ruleOf('550 ѱык'), ruleOf('550 spam block'), ruleOf('550 ſpam trap')]).toEqual([
      'bull',
      'psi',
      'long-s',
      'plain-s',
    ]);
  });

  const WORDS = [
    'user',
    'unknown',
    'mailbox',
    'full',
    'quota',
    'exceeded',
    'spam',
    'blocked',
    'rejected',
    'address',
    'relay',
    'denied',
    'rate',
    'limited',
    'try',
    'again',
    'later',
    'policy',
    'dmarc',
    'not',
    'found',
    'a',
    'is',
    'no',
    'such',
    'account',
    'disabled',
    'greylisted',
    'content',
    'message',
    'too',
    'big',
    'host',
    'temporarily',
    'deferred',
    'reputation',
    'listed',
    'invalid',
    'recipient',
    'inactive',
    // Not ASCII: the regexes read the reply as UTF-8 bytes, the index as UTF-16 code units.
    'größe',
    'ſpam',
    'boîte',
  ];

  // Words of other scripts, with the old Cyrillic glyph variants RE2 folds into о and в.
  const NON_ASCII_WORDS = [
    'postfach',
    'überfüllt',
    'unbekannt',
    'boîte',
    'pleine',
    'ящик',
    'переполнен',
    'пользователь',
    'не',
    'найден',
    '用户',
    '不存在',
    '空间不足',
    'ユーザ',
    '존재하지',
    '않는',
    'kullanıcı',
    'bulunamadı',
    'skrzynka',
    'pełna',
  ];
  const variantGlyphs = (text: string) => text.replaceAll('о', '\u1c82').replaceAll('в', '\u1c80');

  it('answers every reply as a naive first-match loop over all rules', () => {
    expectIndexAgreesWithNaiveLoop(WORDS, 20240611);
  });

  it('answers every reply as a naive first-match loop, also in other scripts and RE2 case folds', () => {
    expectIndexAgreesWithNaiveLoop([...WORDS.slice(0, 20), ...NON_ASCII_WORDS], 20261201, variantGlyphs);
  });

  function expectIndexAgreesWithNaiveLoop(
    vocabulary: readonly string[],
    seed: number,
    inReply: (word: string) => string = (word) => word,
  ) {
    const next = seededRandom(seed);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const word = () => {
      const w = pick(vocabulary);
      return next() < 0.2 ? w.toUpperCase() : w;
    };
    const fragment = (): string => {
      const r = next();
      if (r < 0.35) return word();
      if (r < 0.5) return `(${word()}|${word()})`;
      if (r < 0.6) return `(?:${word()} )?${word()}`;
      if (r < 0.68) return `${word()}s?`;
      if (r < 0.76) return `[${word()[0]}]${word()}`;
      if (r < 0.8) return `\\d{3}`;
      if (r < 0.9) return `${word()}{1,2}`;
      if (r < 0.93) return `(${word()}|\\d+)`;
      if (r < 0.97) return `(?:${word()} ${word()} )*${word()}`;
      return `${word()}(?: ${word()})+`;
    };
    const separator = () => pick([' ', ' ', ' ', ' ', '\\s+', ' ?', '.*', '\\b.*\\b']);
    const isps = [GMAIL, OUTLOOK, { id: 'yahoo', name: 'Yahoo', domains: ['yahoo.com'] }];
    const ispIds = [null, null, null, 'gmail', 'outlook', 'yahoo', 'unlisted'];
    const rules: MatcherRule[] = [];
    for (let i = 0; i < 400; i++) {
      const parts = Array.from({ length: 2 + Math.floor(next() * 2) }, fragment);
      let pattern = parts.join(separator());
      if (next() < 0.1) pattern = `^${pickCode()}${pattern}`;
      if (next() < 0.1) pattern = `${pattern}|${fragment()} ${fragment()}`;
      rules.push(
        rule({
          pattern,
          ispId: pick(ispIds),
          priority: Math.floor(next() * 5),
          enabled: next() < 0.9,
          createdPosition: BigInt(Math.floor(next() * 1_000_000)),
        }),
      );
    }
    function pickCode() {
      return pick(['550 ', '452 ', '5\\d\\d ', '4']);
    }
    const matcher = compileMatcher(rules, isps, 1n);

    const compiled = new Map(rules.map((r) => [r, new RE2(r.pattern, 'iu')]));
    const naive = (reply: string, ispId: string | null) => {
      const normalised = normaliseReply(reply);
      const inOrder = rules
        .filter((r) => r.enabled && (r.ispId === null || r.ispId === ispId))
        .sort(
          (a, b) =>
            Number(a.ispId === null) - Number(b.ispId === null) ||
            a.priority - b.priority ||
            (a.createdPosition < b.createdPosition ? -1 : a.createdPosition > b.createdPosition ? 1 : 0),
        );
      return inOrder.find((r) => compiled.get(r)!.test(normalised)) ?? null;
    };

    let matched = 0;
    for (let i = 0; i < 3000; i++) {
      const words = Array.from({ length: 2 + Math.floor(next() * 8) }, () => (next() < 0.3 ? inReply(word()) : word()));
      const reply = `${pick(['550 5.1.1 ', '452-4.2.2 ', '', '554 '])}${words.join(pick([' ', '  ', '\r\n550 ', ': ']))}`;
      const isp = pick([null, ...isps]);
      const expected = naive(reply, isp?.id ?? null);
      const answer = matcher.classify({
        reply,
        recipient: isp === null ? 'someone@example.com' : `someone@${isp.domains[0]}`,
      });
      expect(answer.rule?.id ?? null, reply).toBe(expected?.id ?? null);
      if (expected !== null) matched++;
    }
    // The comparison means something only if both kinds of answers are common.
    expect(matched).toBeGreaterThan(600);
    expect(matched).toBeLessThan(2400);
    expect(matcher.stats.unindexedRules).toBeLessThan(matcher.stats.rules / 2);
  }
});

describe('the literal index and RE2 fold case alike', () => {
  it('indexes every character RE2 folds into a letter a literal may hold as that letter', () => {
    const cased: number[] = [];
    for (let code = 0x80; code < 0x500; code++) if (isFoldableLiteralCharacter(code)) cased.push(code);
    const letters = String.fromCharCode(...cased);
    const disagreements: string[] = [];
    for (let code = 0x80; code < 0x10000; code++) {
      if (code >= 0xd800 && code <= 0xdfff) continue;
      const escaped = String.fromCharCode(code).replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
      for (const hit of letters.match(new RE2(escaped, 'giu')) ?? []) {
        if (foldedCodeOf(code) !== hit.toLowerCase().charCodeAt(0))
          disagreements.push(`U+${code.toString(16)} ~ ${hit}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('finds literals in other scripts and stops them at characters it cannot fold', () => {
    expect(analysePattern('Postfach ist ÜBERFÜLLT').literals).toEqual(['postfach ist überfüllt']);
    expect(analysePattern('用户不存在').literals).toEqual(['用户不存在']);
    expect(analysePattern('ЯЩИК ПЕРЕПОЛНЕН').literals).toEqual(['ящик переполнен']);
    // İ lowers to two characters: the literal ends there.
    expect(analysePattern('kullanİci bulunamadi').literals).toEqual(['ci bulunamadi']);
  });

  it('matches Cyrillic case-insensitively and through the glyph variants RE2 folds', () => {
    const full = rule({ pattern: 'ящик переполнен', type: 'SOFT_BOUNCE' });
    const matcher = compileMatcher([full], ISPS, 1n);
    expect(matcher.stats.unindexedRules).toBe(0);
    expect(matcher.classify({ reply: '552 ЯЩИК ПЕРЕПОЛНЕН' }).rule).toBe(full);
    expect(matcher.classify({ reply: `552 ящик ${variantOf('переполнен')}` }).rule).toBe(full);
  });
});

const variantOf = (text: string) => text.replaceAll('о', '\u1c82');
