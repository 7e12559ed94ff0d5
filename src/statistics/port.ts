import type { SampledReply } from '../domain/recentSample.js';
import type { BounceType } from '../domain/types.js';
import type { MatchedBy } from '../../projections/matcher.js';

/**
 * Where the counts of what `classify` answered are kept. Not the event log: statistics are not rule
 * changes, so they never move `rulesetVersion` nor enter the audit trail. Every write is an atomic
 * increment (SQLite and PostgreSQL: `INSERT … ON CONFLICT DO UPDATE`), so replicas sharing a store
 * add up, and a write is idempotent of nothing: a flush is sent once.
 */
export interface StatisticsStore {
  /** Adds the counts of one flush, in one transaction. */
  add(batch: StatisticsBatch): Promise<void>;
  /**
   * Rolls hour buckets older than `hourlyUntil` into day buckets, drops buckets and groups last seen
   * before `dropBefore`, and keeps the `sampleCapacity` most recently seen sampled templates.
   */
  prune(limits: { hourlyUntil: number; dropBefore: number; sampleCapacity: number }): Promise<void>;
  /** Hit buckets, summed over the dimensions not asked for. */
  hits(query: HitQuery): Promise<HitRow[]>;
  /** Unmatched reply groups, most occurrences first. */
  unmatched(query: UnmatchedQuery): Promise<UnmatchedGroup[]>;
  /** The recent sample, most recently seen first. */
  sample(limit: number): Promise<SampledReply[]>;
  close(): Promise<void>;
}

export const BUCKET = { hour: 3_600_000, day: 86_400_000 } as const;
export type BucketSpan = keyof typeof BUCKET;

/** How many replies got one verdict, in one bucket. */
export interface HitCount {
  /** Bucket start, milliseconds since the epoch (a whole hour or day, UTC). */
  readonly start: number;
  readonly span: BucketSpan;
  /** The pattern that decided; null: a fallback decided. */
  readonly patternId: string | null;
  readonly type: BounceType;
  readonly matchedBy: MatchedBy;
  readonly ispId: string | null;
  readonly count: number;
  /** The last hit in the bucket, milliseconds since the epoch. */
  readonly lastAt: number;
}

/** Replies a fallback answered, grouped by masked template, ISP and fallback verdict. */
export interface UnmatchedGroup {
  /** A hash of template, ISP and verdict: the same on every replica. */
  readonly key: string;
  readonly template: string;
  /** One masked reply of the group. */
  readonly example: string;
  readonly ispId: string | null;
  readonly type: BounceType;
  readonly matchedBy: MatchedBy;
  readonly count: number;
  readonly firstSeenAt: number;
  readonly lastSeenAt: number;
}

export interface StatisticsBatch {
  readonly hits: readonly HitCount[];
  readonly unmatched: readonly UnmatchedGroup[];
  readonly sample: readonly SampledReply[];
}

export type HitDimension = 'patternId' | 'type' | 'matchedBy' | 'ispId' | 'bucket';

export interface HitQuery {
  /** The dimensions to group by; the others are summed over. */
  readonly by: readonly HitDimension[];
  readonly patternId?: string;
  /** Only buckets that start at or after this moment. */
  readonly since?: number;
}

/** A sum of hit counts; a dimension not grouped by is undefined. */
export interface HitRow {
  readonly start?: number;
  readonly span?: BucketSpan;
  readonly patternId?: string | null;
  readonly type?: BounceType;
  readonly matchedBy?: MatchedBy;
  readonly ispId?: string | null;
  readonly count: number;
  readonly lastAt: number;
}

export interface UnmatchedQuery {
  readonly ispId?: string | null;
  readonly type?: BounceType | null;
  /** Case-insensitive text in the template. */
  readonly search?: string | null;
  readonly seenSince?: number | null;
  readonly limit: number;
}
