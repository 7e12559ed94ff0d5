import type { FieldChanges } from './events.js';

/** The fields of `target` that differ from `current`, with their current values as `previous`. */
export function diffFields<F extends object>(
  current: F,
  target: Partial<F>,
  names: readonly (keyof F)[],
): FieldChanges<F> {
  const changes: Partial<F> = {};
  const previous: Partial<F> = {};
  for (const name of names) {
    if (target[name] === undefined || sameValue(target[name], current[name])) continue;
    changes[name] = target[name];
    previous[name] = current[name];
  }
  return { changes, previous };
}

const sameValue = (a: unknown, b: unknown): boolean =>
  Array.isArray(a) && Array.isArray(b) ? a.length === b.length && a.every((v, i) => v === b[i]) : a === b;

export const hasChanges = (diff: FieldChanges<object>): boolean => Object.keys(diff.changes).length > 0;
