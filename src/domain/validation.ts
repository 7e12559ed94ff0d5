import { compilePattern } from './regex.js';
import { LIMITS } from './limits.js';
import { ValidationError, type FieldError } from './errors.js';
import { BOUNCE_TYPES, type BouncePatternFields, type IspFields } from './types.js';

// Control characters make names and messages unreadable in admin lists and logs.
// biome-ignore lint/suspicious/noControlCharactersInRegex: this is the check for them
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

export function requireText(field: string, value: unknown, max: number, { allowEmpty = false } = {}): string {
  if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
  const trimmed = value.trim();
  if (!allowEmpty && trimmed.length === 0) throw new ValidationError(field, 'must not be empty');
  if (trimmed.length > max) throw new ValidationError(field, `must be at most ${max} characters`);
  if (CONTROL.test(trimmed)) throw new ValidationError(field, 'must not contain control characters');
  return trimmed;
}

export function requireOptionalReason(reason: string | null | undefined): string | null {
  if (reason === undefined || reason === null) return null;
  const text = requireText('reason', reason, LIMITS.reasonLength, { allowEmpty: true });
  return text === '' ? null : text;
}

function requireOneOf<T extends string>(field: string, value: unknown, values: readonly T[]): T {
  if (!values.includes(value as T)) throw new ValidationError(field, `must be one of ${values.join(', ')}`);
  return value as T;
}

/**
 * How each field of an aggregate is checked and normalised. Typed so that every field of the
 * fields type has exactly one rule: a field added to the type and not here fails `tsc`; the edit
 * diff, validation and the GraphQL inputs' test all read their field names from these tables.
 */
export type FieldRules<F> = { readonly [K in keyof F]-?: (value: unknown, field: string) => F[K] };

export const BOUNCE_PATTERN_FIELDS: FieldRules<BouncePatternFields> = {
  name: (value, field) => requireText(field, value, LIMITS.nameLength),
  type: (value, field) => requireOneOf(field, value, BOUNCE_TYPES),
  ispId: (value, field) => (value === null ? null : requireText(field, value, LIMITS.idLength)),
  pattern: (value, field) => {
    if (typeof value !== 'string') throw new ValidationError(field, 'must be a string');
    compilePattern(value, field);
    return value;
  },
  message: (value, field) => requireText(field, value, LIMITS.messageLength, { allowEmpty: true }),
  priority: (value, field) => {
    const { min, max } = LIMITS.priority;
    if (!Number.isInteger(value) || (value as number) < min || (value as number) > max)
      throw new ValidationError(field, `must be an integer from ${min} to ${max}`);
    return value as number;
  },
  enabled: (value, field) => {
    if (typeof value !== 'boolean') throw new ValidationError(field, 'must be true or false');
    return value;
  },
};

// A host name: labels of letters, digits and hyphens, at least one dot.
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

export function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}

export const ISP_FIELDS: FieldRules<IspFields> = {
  name: (value, field) => requireText(field, value, LIMITS.ispNameLength),
  domains: (value, field) => {
    if (!Array.isArray(value) || !value.every((d) => typeof d === 'string'))
      throw new ValidationError(field, 'must be a list of domain names');
    if (value.length > LIMITS.domainsPerIsp)
      throw new ValidationError(field, `must hold at most ${LIMITS.domainsPerIsp} domains`);
    const domains = [...new Set(value.map(normaliseDomain))];
    const bad = domains.find((d) => !DOMAIN.test(d));
    if (bad !== undefined) throw new ValidationError(field, `"${bad.slice(0, 80)}" is not a domain name`);
    return domains.sort();
  },
};

export const fieldNames = <F>(rules: FieldRules<F>): (keyof F)[] => Object.keys(rules) as (keyof F)[];

/**
 * Checks each present field and returns them normalised; absent fields stay absent. Every bad
 * field is reported at once; with `complete`, a missing field is one of them.
 */
export function validateFields<F>(rules: FieldRules<F>, input: Partial<F>, options: { complete: true }): F;
export function validateFields<F>(rules: FieldRules<F>, input: Partial<F>): Partial<F>;
export function validateFields<F>(rules: FieldRules<F>, input: Partial<F>, { complete = false } = {}): Partial<F> {
  const out: Partial<F> = {};
  const errors: FieldError[] = [];
  for (const name of fieldNames(rules)) {
    const value = input[name];
    if (value === undefined) {
      if (complete) errors.push({ field: String(name), message: 'is required' });
      continue;
    }
    try {
      out[name] = rules[name](value, String(name));
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      errors.push(...error.fieldErrors);
    }
  }
  if (errors.length > 0) throw new ValidationError(errors);
  return out;
}
