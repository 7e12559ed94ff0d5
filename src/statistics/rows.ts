import type { SampledReply } from '../domain/recentSample.js';
import type { BounceType } from '../domain/types.js';
import type { MatchedBy } from '../../projections/matcher.js';
import type { BucketSpan, HitRow, UnmatchedGroup } from './port.js';

/** The SQL stores' tables and rows (SQLite and PostgreSQL share them; PostgreSQL answers BIGINTs as text). */

export const HIT_KEY = 'pattern_id, start, span, type, matched_by, isp_id';
export const HIT_COLUMN = { patternId: 'pattern_id', type: 'type', matchedBy: 'matched_by', ispId: 'isp_id' } as const;

type Row = Record<string, unknown>;
/** A missing pattern or ISP is stored as '' so that it takes part in primary keys. */
const orNull = (value: unknown): string | null => (value === '' ? null : (value as string));

export const hitRowOf = (row: Row): HitRow => ({
  ...(row.start !== undefined && { start: Number(row.start), span: row.span as BucketSpan }),
  ...(row.pattern_id !== undefined && { patternId: orNull(row.pattern_id) }),
  ...(row.type !== undefined && { type: row.type as BounceType }),
  ...(row.matched_by !== undefined && { matchedBy: row.matched_by as MatchedBy }),
  ...(row.isp_id !== undefined && { ispId: orNull(row.isp_id) }),
  count: Number(row.count),
  lastAt: Number(row.last_at),
});

export const unmatchedOf = (row: Row): UnmatchedGroup => ({
  key: row.key as string,
  template: row.template as string,
  example: row.example as string,
  ispId: orNull(row.isp_id),
  type: row.type as BounceType,
  matchedBy: row.matched_by as MatchedBy,
  count: Number(row.count),
  firstSeenAt: Number(row.first_seen),
  lastSeenAt: Number(row.last_seen),
});

export const sampledOf = (row: Row): SampledReply => ({
  key: row.key as string,
  template: row.template as string,
  ispId: orNull(row.isp_id),
  type: row.type as BounceType,
  count: Number(row.count),
  lastSeenAt: Number(row.last_seen),
});
