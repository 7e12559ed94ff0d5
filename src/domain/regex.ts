import RE2 from 're2';
import { LIMITS } from './limits.js';
import { ValidationError } from './errors.js';

/**
 * Patterns are untrusted input matched against every failed delivery, so they run on RE2:
 * linear time whatever the pattern, hence no catastrophic backtracking. The price is RE2's
 * syntax: no look-around and no back-references; a pattern that needs them is refused here.
 */
export type CompiledPattern = RE2;

export function compilePattern(source: string, field = 'pattern'): CompiledPattern {
  if (source.length === 0) throw new ValidationError(field, 'must not be empty');
  if (source.length > LIMITS.patternLength)
    throw new ValidationError(field, `must be at most ${LIMITS.patternLength} characters`);
  try {
    return new RE2(source, 'iu');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ValidationError(
      field,
      `is not a valid regular expression (RE2 syntax: no look-around or back-references): ${why}`,
    );
  }
}
