import { apiTokens } from './apiTokens.js';
import { bouncePatternList } from './bouncePatternList.js';
import { ispDirectory } from './ispDirectory.js';
import type { RowProjection } from './projection.js';

/**
 * Every row projection the service keeps, by the name the read model serves it under. A new
 * projection is a new file and one line here.
 */
export const ROW_PROJECTIONS = {
  patterns: bouncePatternList,
  isps: ispDirectory,
  apiTokens,
} as const;

export type RowProjectionName = keyof typeof ROW_PROJECTIONS;
export type RowOf<N extends RowProjectionName> =
  (typeof ROW_PROJECTIONS)[N] extends RowProjection<infer Row> ? Row : never;
