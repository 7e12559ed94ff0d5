import { describe, expect, it } from 'vitest';
import { DEFAULT_BOUNCE_PATTERNS } from '../../../src/domain/defaults/bouncePatterns.js';
import { ValidationError } from '../../../src/domain/errors.js';
import { LIMITS } from '../../../src/domain/limits.js';
import { compilePattern, patternSize } from '../../../src/domain/regex.js';

describe('the compiled size of a pattern is bounded when it is saved', () => {
  it('counted repetitions multiply what they repeat', () => {
    expect(patternSize('user unknown')).toBe(12);
    expect(patternSize('a{10}')).toBe(11);
    expect(patternSize('(?:a{10}){10}')).toBe(111);
    expect(patternSize('(\\w+\\s*){1000}')).toBeGreaterThan(10_000);
  });

  for (const costly of ['(\\w+\\s*){1000}', '.{800}', '[a-z]{800}', '((ab){30}){30}', '(?i)x{1000}'])
    it(`refuses ${costly}, saying why`, () => {
      let refusal: unknown;
      try {
        compilePattern(costly);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(ValidationError);
      expect((refusal as ValidationError).field).toBe('pattern');
      expect((refusal as ValidationError).message).toMatch(/matching steps, over the budget of 2000/);
    });

  it('every shipped pattern is within the budget, and so is a long plain one', () => {
    for (const { id, pattern } of DEFAULT_BOUNCE_PATTERNS)
      expect(patternSize(pattern), id).toBeLessThanOrEqual(LIMITS.patternSize);
    expect(() => compilePattern('(user|mailbox) unknown '.repeat(40))).not.toThrow();
  });
});
