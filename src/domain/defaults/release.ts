import { BOUNCE_PATTERN_FIELD_NAMES } from '../bouncePattern.js';
import { diffFields, hasChanges } from '../changes.js';
import type { BouncePatternFields } from '../types.js';
import { DEFAULT_BOUNCE_PATTERNS, type DefaultBouncePattern } from './bouncePatterns.js';
import { DEFAULT_ISPS, type DefaultIsp } from './isps.js';

/** The defaults one release of the service ships, named so that the log can say which release wrote what. */
export interface DefaultsRelease {
  readonly release: string;
  readonly isps: readonly DefaultIsp[];
  readonly patterns: readonly DefaultBouncePattern[];
}

/** Bump the release whenever a shipped default changes: installations take it on their next start. */
export const SHIPPED_DEFAULTS: DefaultsRelease = {
  release: '2026.12.1',
  isps: DEFAULT_ISPS,
  patterns: DEFAULT_BOUNCE_PATTERNS,
};

export const pickPatternFields = (row: BouncePatternFields): BouncePatternFields => ({
  name: row.name,
  type: row.type,
  ispId: row.ispId,
  pattern: row.pattern,
  message: row.message,
  priority: row.priority,
  enabled: row.enabled,
});

/** The fields a release ships for a default; one it no longer ships stays as it is, disabled. */
export function shippedFieldsOf(
  release: DefaultsRelease,
  id: string,
  current: BouncePatternFields,
): { fields: BouncePatternFields; removed: boolean } {
  const shipped = release.patterns.find((pattern) => pattern.id === id);
  if (shipped === undefined) return { fields: { ...pickPatternFields(current), enabled: false }, removed: true };
  return { fields: pickPatternFields(shipped), removed: false };
}

export const sameFields = (a: BouncePatternFields, b: BouncePatternFields): boolean =>
  !hasChanges(diffFields(a, b, BOUNCE_PATTERN_FIELD_NAMES));
