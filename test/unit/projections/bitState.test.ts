import { readFileSync } from 'node:fs';
import RE2 from 're2';
import { describe, expect, it } from 'vitest';
import { BitStateProgram } from '../../../projections/bitState.js';
import { DEFAULT_BOUNCE_PATTERNS } from '../../../src/domain/defaults/index.js';
import { parsePattern } from '../../../src/domain/regex.js';
import { normaliseReply } from '../../../src/domain/reply.js';
import { seededRandom } from '../../support/random.js';

const compile = (source: string) => BitStateProgram.compile(parsePattern(source));

/** RE2 with the matcher's flags: the answer the program must give. */
const re2Test = (pattern: string, text: string) => new RE2(pattern, 'iu').test(text);

describe('BitState programs answer what RE2 answers on ASCII text', () => {
  it('on generated patterns and texts, including RE2’s case folds, negated classes, anchors and empty loops', () => {
    const random = seededRandom(20261201);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    // ſ and the Kelvin sign fold into s and k; `\W` and `[^k]` under case folding are where RE2 surprises.
    const atoms = [
      'a',
      'b',
      'A',
      'k',
      'K',
      's',
      '\u212a',
      '\u017f',
      '.',
      '[ab]',
      '[^a]',
      '[^k]',
      '[a-z]',
      '[^a-z]',
      '\\d',
      '\\D',
      '\\w',
      '\\W',
      '\\s',
      '\\S',
      ' ',
      '\\.',
      '5',
      '[45]',
      '#',
      ':',
      '\\(',
      '(?:)',
      '(a|)',
    ];
    const quantifiers = ['*', '+', '?', '{0,2}', '{2}', '{1,3}', '{2,}', '*?', '+?'];
    const pattern = (depth: number): string => {
      const r = random();
      if (depth > 3 || r < 0.35) return pick(atoms);
      if (r < 0.5) return pattern(depth + 1) + pattern(depth + 1) + pattern(depth + 1);
      if (r < 0.6) return `(${pattern(depth + 1)}|${pattern(depth + 1)})`;
      if (r < 0.7) return `(?:${pattern(depth + 1)})${pick(quantifiers)}`;
      if (r < 0.78) return pick(atoms) + pick(quantifiers);
      if (r < 0.88) return pick(['\\b', '\\B', '^', '$', '(?:\\b)*', '(?:$|a)+']);
      return pattern(depth + 1) + pattern(depth + 1);
    };
    const characters = [...'aAbBkKsS5 4.#-:()_\n\t0z?'];
    let compiled = 0;
    let matched = 0;
    let cases = 0;
    let gaveUp = 0;
    for (let i = 0; i < 4_000; i++) {
      const source = pattern(0);
      try {
        new RE2(source, 'iu');
      } catch {
        continue;
      }
      const program = compile(source);
      if (program === null) continue;
      compiled++;
      for (let j = 0; j < 8; j++) {
        const text = Array.from({ length: Math.floor(random() * 12) }, () => pick(characters)).join('');
        if (!program.usable(text.length)) {
          gaveUp++;
          continue;
        }
        const expected = re2Test(source, text);
        // null: the run gave up (the matcher then asks RE2); any answer it gives must be RE2's.
        const answer = program.test(text);
        if (answer === null) gaveUp++;
        else expect(answer, `${source} on ${JSON.stringify(text)}`).toBe(expected);
        cases++;
        if (expected) matched++;
      }
    }
    // Meaningful only if most patterns compile and both answers are common.
    expect(compiled).toBeGreaterThan(3_000);
    expect(gaveUp / cases).toBeLessThan(0.02);
    expect(matched / cases).toBeGreaterThan(0.2);
    expect(matched / cases).toBeLessThan(0.8);
  });

  it('on the shipped rules and the ASCII replies of both corpora', () => {
    const replies = ['replies.dev.jsonl', 'replies.public.jsonl'].flatMap((name) =>
      readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const parsed = JSON.parse(line) as { response?: string; reply?: string };
          return normaliseReply(parsed.response ?? parsed.reply ?? '');
        })
        .filter((reply) => !/[\u0080-\uffff]/.test(reply)),
    );
    let ran = 0;
    let matched = 0;
    const gaveUp: string[] = [];
    for (const { pattern } of DEFAULT_BOUNCE_PATTERNS) {
      const program = compile(pattern);
      if (program === null) continue;
      for (const reply of replies) {
        if (!program.usable(reply.length)) continue;
        const expected = re2Test(pattern, reply);
        const answer = program.test(reply);
        if (answer === null) gaveUp.push(`${pattern} on ${reply}`);
        else expect(answer, `${pattern} on ${reply}`).toBe(expected);
        ran++;
        if (expected) matched++;
      }
    }
    expect(gaveUp).toEqual([]);
    expect(ran).toBeGreaterThan(3_000);
    expect(matched).toBeGreaterThan(100);
  });
});

describe('BitState programs stay bounded', () => {
  it('leaves broad alternations to RE2, whose automaton follows every branch at once', () => {
    expect(compile('quota|mailbox full|over quota|storage|disk full')).toBeNull();
    expect(compile('^(?:#?[^#4].*)?(?:spam|junk)')).not.toBeNull();
    expect(compile('^(?:#?[^#4].*)?(?:spam|junk|bulk|phish|scam)')).toBeNull();
  });

  it('leaves RE2-only syntax to RE2', () => {
    for (const source of ['(?i)user unknown', '\\pL+ full', '[[:alpha:]]+ unknown', '(?P<code>\\d+) x'])
      expect(compile(source), source).toBeNull();
  });

  it('is not usable on a reply whose visited pairs would not fit, and is on a shorter one', () => {
    const program = compile('the email account that you tried to reach does not exist')!;
    expect(program.usable(200)).toBe(true);
    expect(program.usable(400)).toBe(false);
    expect(compile('unknown')!.usable(1_000)).toBe(false);
  });

  it('gives up on a pattern written to backtrack and retires, where RE2 answers at once', () => {
    const source = '(?:a*)*(?:a*)*(?:a*)*b';
    const program = compile(source)!;
    const text = 'a'.repeat(300);
    expect(program.usable(text.length)).toBe(true);
    expect(program.test(text)).toBeNull();
    expect(program.usable(text.length)).toBe(false);
    expect(program.usable(1)).toBe(false);
    expect(re2Test(source, text)).toBe(false);
  });

  it('does not give up on an ordinary pattern over a long reply', () => {
    const program = compile('mailbox.*full.*\\[ts\\d+\\]')!;
    const text = `550 ${'x'.repeat(120)} mailbox ${'y'.repeat(120)} is full [TS04]`;
    expect(program.test(text)).toBe(true);
    expect(program.test(text.replace('[TS04]', '[TS]'))).toBe(false);
    expect(program.usable(text.length)).toBe(true);
  });
});
