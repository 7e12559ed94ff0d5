import { type AST, RegExpParser } from '@eslint-community/regexpp';
import RE2 from 're2';
import { LIMITS } from './limits.js';
import { ValidationError } from './errors.js';

/**
 * Patterns are untrusted input matched against every failed delivery, so they run on RE2:
 * linear time whatever the pattern, hence no catastrophic backtracking. The price is RE2's
 * syntax: no look-around and no back-references; a pattern that needs them is refused here.
 * Linear is not cheap, though: RE2's time per character grows with the size of the compiled
 * program, which counted repetitions multiply (`(\w+\s*){1000}` is a thousand copies), so that
 * size is bounded too (patternSize).
 */
export type CompiledPattern = RE2;

export function compilePattern(source: string, field = 'pattern'): CompiledPattern {
  if (source.length === 0) throw new ValidationError(field, 'must not be empty');
  if (source.length > LIMITS.patternLength)
    throw new ValidationError(field, `must be at most ${LIMITS.patternLength} characters`);
  let compiled: RE2;
  try {
    compiled = new RE2(source, 'iu');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ValidationError(
      field,
      `is not a valid regular expression (RE2 syntax: no look-around or back-references): ${why}`,
    );
  }
  const size = patternSize(source);
  if (size > LIMITS.patternSize)
    throw new ValidationError(
      field,
      `compiles to about ${size} matching steps, over the budget of ${LIMITS.patternSize}: ` +
        'counted repetitions such as {1000} copy what they repeat, and a pattern that large could stall classify ' +
        'on long replies; repeat less, or use + and *',
    );
  return compiled;
}

const parser = new RegExpParser({ ecmaVersion: 2025 });

/**
 * The pattern as a JavaScript `u` regex (the syntax node-re2 takes); null for RE2-only syntax that
 * JavaScript does not read the same way (`(?i)`, `\Q…\E`, `[[:alpha:]]`, `\pL`).
 */
export function parsePattern(source: string): AST.Pattern | null {
  try {
    return parser.parsePattern(source, 0, source.length, { unicode: true });
  } catch {
    return null;
  }
}

/**
 * An estimate of the size of RE2's compiled program: one step per character, four per character
 * class (case-folded UTF-8 ranges), counted repetitions multiplying what they repeat. Measured on
 * maximal (4,096-character) replies, patterns up to 2,000 took at most about 0.3 ms; larger ones,
 * where RE2 leaves its DFA for the NFA, from 2 to 500 ms. Syntax the JavaScript parser does
 * not read (RE2's own, such as `(?i)`) is bounded from the text: its length times every count in it.
 */
export function patternSize(source: string): number {
  const pattern = parsePattern(source);
  if (pattern) return sizeOf(pattern);
  const counts = [...source.matchAll(/\{(\d+)(?:,(\d*))?\}/g)].map((m) => Number(m[2] || m[1]) || 1);
  return counts.reduce((size, count) => size * count, source.length);
}

type Sized = AST.Alternative | AST.Element | AST.Pattern;

function sizeOf(node: Sized): number {
  switch (node.type) {
    case 'Pattern':
    case 'Group':
    case 'CapturingGroup':
      return (
        node.alternatives.reduce((sum, alternative) => sum + sizeOf(alternative), 0) +
        node.alternatives.length -
        1 +
        (node.type === 'CapturingGroup' ? 2 : 0)
      );
    case 'Alternative':
      return node.elements.reduce((sum, element) => sum + sizeOf(element), 0);
    case 'Quantifier': {
      const copies = node.max === Number.POSITIVE_INFINITY ? Math.max(node.min, 1) : node.max;
      return sizeOf(node.element) * copies + 1;
    }
    case 'Assertion':
      return 'alternatives' in node ? node.alternatives.reduce((sum, alternative) => sum + sizeOf(alternative), 0) : 1;
    case 'Character':
    case 'Backreference':
      return 1;
    default:
      // Character classes and sets (`[a-z]`, `.`, `\w`, `\p{L}`).
      return 4;
  }
}
