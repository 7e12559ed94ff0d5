import { ValidationError } from '../domain/errors.js';

export const SORT_DIRECTIONS = ['ASC', 'DESC'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

export const PAGE_SIZE = { default: 50, max: 500 } as const;

export type SortKey = readonly (string | number)[];

export interface Page<T> {
  readonly nodes: readonly T[];
  readonly cursors: readonly string[];
  readonly totalCount: number;
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
}

export const encodeCursor = (key: SortKey): string => Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor(cursor: string): SortKey {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(key) && key.every((k) => typeof k === 'string' || typeof k === 'number')) return key;
  } catch {
    // fall through: any undecodable cursor is the client's error
  }
  throw new ValidationError('after', 'is not a cursor returned by this list');
}

export function compareKeys(a: SortKey, b: SortKey, descending = false): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x === y) continue;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1;
    return descending ? -order : order;
  }
  return 0;
}

/** The size a page asks for, checked. */
export function pageSize(first: number | null | undefined): number {
  const size = first ?? PAGE_SIZE.default;
  if (!Number.isInteger(size) || size < 0 || size > PAGE_SIZE.max)
    throw new ValidationError('first', `must be an integer from 0 to ${PAGE_SIZE.max}`);
  return size;
}

/**
 * Keyset pagination: a cursor is the sort key of the last row seen (ending with the row id), so a
 * page stays correct when rows before it are added or removed between requests.
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => SortKey,
  { first, after, descending = false }: { first?: number | null; after?: string | null; descending?: boolean },
): Page<T> {
  const size = pageSize(first);
  const keyed = items.map((item) => ({ item, key: keyOf(item) })).sort((a, b) => compareKeys(a.key, b.key, descending));
  let start = 0;
  if (after) {
    const cursorKey = decodeCursor(after);
    start = keyed.findIndex((entry) => compareKeys(entry.key, cursorKey, descending) > 0);
    if (start === -1) start = keyed.length;
  }
  const slice = keyed.slice(start, start + size);
  return {
    nodes: slice.map((entry) => entry.item),
    cursors: slice.map((entry) => encodeCursor(entry.key)),
    totalCount: items.length,
    hasNextPage: start + size < keyed.length,
    hasPreviousPage: start > 0,
  };
}
