import { compilePattern } from './regex.js';
import { LIMITS } from './limits.js';
import { ValidationError } from './errors.js';
import { BOUNCE_TYPES, type BouncePatternFields, type IspFields } from './types.js';

// Control characters make names and messages unreadable in admin lists and logs.
// biome-ignore lint/suspicious/noControlCharactersInRegex: this is the check for them
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

export function requireText(field: string, value: string, max: number, { allowEmpty = false } = {}): string {
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

/** Checks each present field and returns them normalised (trimmed); absent fields stay absent. */
export function validateBouncePatternFields(fields: Partial<BouncePatternFields>): Partial<BouncePatternFields> {
  const out: { -readonly [K in keyof BouncePatternFields]?: BouncePatternFields[K] } = {};
  if (fields.name !== undefined) out.name = requireText('name', fields.name, LIMITS.nameLength);
  if (fields.type !== undefined) {
    if (!BOUNCE_TYPES.includes(fields.type))
      throw new ValidationError('type', `must be one of ${BOUNCE_TYPES.join(', ')}`);
    out.type = fields.type;
  }
  if (fields.ispId !== undefined) {
    out.ispId = fields.ispId === null ? null : requireText('ispId', fields.ispId, 200);
  }
  if (fields.pattern !== undefined) {
    if (typeof fields.pattern !== 'string') throw new ValidationError('pattern', 'must be a string');
    compilePattern(fields.pattern);
    out.pattern = fields.pattern;
  }
  if (fields.message !== undefined)
    out.message = requireText('message', fields.message, LIMITS.messageLength, { allowEmpty: true });
  if (fields.priority !== undefined) {
    const { min, max } = LIMITS.priority;
    if (!Number.isInteger(fields.priority) || fields.priority < min || fields.priority > max)
      throw new ValidationError('priority', `must be an integer from ${min} to ${max}`);
    out.priority = fields.priority;
  }
  if (fields.enabled !== undefined) {
    if (typeof fields.enabled !== 'boolean') throw new ValidationError('enabled', 'must be true or false');
    out.enabled = fields.enabled;
  }
  return out;
}

// A host name: labels of letters, digits and hyphens, at least one dot.
const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/;

export function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}

export function validateIspFields(fields: Partial<IspFields>): Partial<IspFields> {
  const out: { -readonly [K in keyof IspFields]?: IspFields[K] } = {};
  if (fields.name !== undefined) out.name = requireText('name', fields.name, LIMITS.ispNameLength);
  if (fields.domains !== undefined) {
    if (fields.domains.length > LIMITS.domainsPerIsp)
      throw new ValidationError('domains', `must hold at most ${LIMITS.domainsPerIsp} domains`);
    const domains = [...new Set(fields.domains.map(normaliseDomain))];
    const bad = domains.find((d) => !DOMAIN.test(d));
    if (bad !== undefined) throw new ValidationError('domains', `"${bad.slice(0, 80)}" is not a domain name`);
    out.domains = domains.sort();
  }
  return out;
}
