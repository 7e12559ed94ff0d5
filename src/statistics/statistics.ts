import { createHash } from 'node:crypto';
import { RecentSample, type SampledReply } from '../domain/recentSample.js';
import { localPartOf, maskReply, type MaskedReply } from '../domain/replyTemplate.js';
import { BOUNCE_TYPES, type BounceType } from '../domain/types.js';
import {
  MATCHED_BY,
  type Classification,
  type ClassifyRequest,
  type MatchedBy,
  type MatcherIsp,
  type MatcherRule,
} from '../../projections/matcher.js';
import { BUCKET, type HitCount, type HitRow, type StatisticsStore, type UnmatchedGroup } from './port.js';

export interface StatisticsOptions {
  /** How often counts go to the store; a SIGKILL loses at most this much. */
  readonly flushIntervalMs: number;
  /** Buckets and groups older than this are dropped. */
  readonly retentionDays: number;
  /** Distinct templates the recent sample keeps. */
  readonly sampleCapacity: number;
  /**
   * Replies held (unmasked, in memory only) per flush for the sample and the unmatched groups; past
   * that, a uniform reservoir of them, each standing for its share of the interval's replies.
   */
  readonly repliesPerFlush: number;
  readonly clock?: () => number;
}

export const DEFAULT_STATISTICS_OPTIONS: StatisticsOptions = {
  flushIntervalMs: 5_000,
  retentionDays: 30,
  sampleCapacity: 50_000,
  repliesPerFlush: 1_000,
};

/** Hour buckets are kept this long, then rolled into day buckets. */
const HOURLY_FOR_MS = 2 * BUCKET.day;
const PRUNE_EVERY_MS = BUCKET.hour;
/** How often the time of what is counted is read anew. */
const TICK_MS = 1_000;
/** How long this replica's unflushed sums per pattern are reused. */
const PENDING_SUM_MS = 1_000;

interface Counter {
  readonly patternId: string | null;
  readonly type: BounceType;
  readonly matchedBy: MatchedBy;
  readonly ispId: string | null;
  count: number;
  lastAt: number;
}

/** A verdict's counters, one per ISP, and the last one counted. */
interface CountersByIsp {
  lastIsp: MatcherIsp | null;
  last: Counter | undefined;
  readonly counters: Map<MatcherIsp | null, Counter>;
}

interface HeldReply {
  readonly request: ClassifyRequest;
  readonly verdict: Classification;
  readonly at: number;
}

/**
 * A bounded uniform sample of a stream; `seen` counts the whole stream. Once full it draws how many
 * replies to pass over before the next one it keeps (Li's algorithm L), so most offers only count.
 */
class Reservoir {
  held: HeldReply[] = [];
  seen = 0;
  /** The value of `seen` at which the next reply is kept, once full. */
  private next = 0;
  private w = 1;
  constructor(private readonly capacity: number) {}

  /** The reply is only allocated when it is kept. */
  offer(request: ClassifyRequest, verdict: Classification, at: number): void {
    this.seen++;
    if (this.held.length < this.capacity) {
      this.held.push({ request, verdict, at });
      if (this.held.length === this.capacity) this.skip();
    } else if (this.seen === this.next) {
      this.held[Math.floor(Math.random() * this.capacity)] = { request, verdict, at };
      this.skip();
    }
  }

  private skip(): void {
    this.w *= Math.exp(Math.log(Math.random()) / this.capacity);
    this.next = this.seen + Math.floor(Math.log(Math.random()) / Math.log(1 - this.w)) + 1;
  }

  /** How many replies of the stream each held one stands for. */
  get weight(): number {
    return this.held.length === 0 ? 0 : this.seen / this.held.length;
  }
}

export interface PatternHits {
  readonly total: number;
  /** Milliseconds since the epoch; null: never hit within the retention. */
  readonly lastHitAt: number | null;
}

/** A constant per fallback verdict: the counters' key when no rule decided. */
interface FallbackVerdict {
  readonly matchedBy: MatchedBy;
  readonly type: BounceType;
}
const FALLBACKS = Object.fromEntries(
  MATCHED_BY.map((matchedBy) => [
    matchedBy,
    Object.fromEntries(BOUNCE_TYPES.map((type) => [type, { matchedBy, type }])),
  ]),
) as Record<MatchedBy, Record<BounceType, FallbackVerdict>>;

/**
 * Verdicts `record` holds before adding them to the counters, in one loop: map lookups interleaved with
 * classifications cost several times more (each evicts the other's data from the CPU's caches).
 */
export const HELD_VERDICTS = 1_024;

const keyOf = (...parts: (string | null)[]): string =>
  createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 22);

/**
 * What `classify` answered, counted. The hot path (`record`) only adds to counters in memory and
 * offers the reply to a bounded reservoir; masking, grouping and the store's write happen on flush,
 * every `flushIntervalMs`. Replies are held unmasked only in memory until the next flush.
 */
export class Statistics {
  private readonly options: StatisticsOptions;
  private readonly clock: () => number;
  private hour = -1;
  /** The time of what `record` counts: read from the clock once `stale` (every second, and after a flush). */
  private now = 0;
  private stale = true;
  private ticker: NodeJS.Timeout | undefined;
  /** Keyed by identity (the rule row, the ISP row, a constant for each fallback): no string is built. */
  private counters = new Map<MatcherRule | FallbackVerdict, CountersByIsp>();
  private readonly heldKeys: (MatcherRule | FallbackVerdict)[] = [];
  private readonly heldIsps: (MatcherIsp | null)[] = [];
  private heldCount = 0;
  /** Counters of hours that ended since the last flush. */
  private closed: HitCount[] = [];
  private replies: Reservoir;
  private unmatchedReplies: Reservoir;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastPrune = 0;
  private totals: { at: number; byPattern: Map<string, PatternHits> } | undefined;

  constructor(
    readonly store: StatisticsStore,
    options: Partial<StatisticsOptions> = {},
  ) {
    this.options = { ...DEFAULT_STATISTICS_OPTIONS, ...options };
    this.clock = this.options.clock ?? Date.now;
    this.replies = new Reservoir(this.options.repliesPerFlush);
    this.unmatchedReplies = new Reservoir(this.options.repliesPerFlush);
  }

  /** Flushes every `flushIntervalMs` until `stop`. */
  start(): void {
    this.timer ??= setInterval(() => {
      this.flush().catch((error: unknown) => console.error('statistics flush failed:', error));
    }, this.options.flushIntervalMs);
    this.timer.unref();
    this.ticker ??= setInterval(() => {
      this.stale = true;
    }, TICK_MS);
    this.ticker.unref();
  }

  /** Flushes what is counted and stops the timers (a graceful stop loses nothing). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.ticker);
    this.timer = undefined;
    this.ticker = undefined;
    await this.flush();
  }

  /**
   * The hot path: one verdict `classify` gave. No string is built, and nothing is allocated but a
   * counter the first time a pattern and ISP meet in an hour and the replies the reservoirs keep.
   */
  record(request: ClassifyRequest, verdict: Classification): void {
    // Reading the clock costs more than the counting on some machines: once a second is precise enough.
    if (this.stale) this.readClock();
    const held = this.heldCount++;
    this.heldKeys[held] = verdict.rule ?? FALLBACKS[verdict.matchedBy][verdict.type];
    this.heldIsps[held] = verdict.isp;
    if (this.heldCount === HELD_VERDICTS) this.count();
    this.replies.offer(request, verdict, this.now);
    if (verdict.rule === null) this.unmatchedReplies.offer(request, verdict, this.now);
  }

  /** Adds the held verdicts to the counters of the current hour. */
  private count(): void {
    const at = this.now;
    for (let i = 0; i < this.heldCount; i++) {
      const key = this.heldKeys[i]!;
      const isp = this.heldIsps[i]!;
      let byIsp = this.counters.get(key);
      if (byIsp === undefined) {
        byIsp = { lastIsp: isp, last: undefined, counters: new Map() };
        this.counters.set(key, byIsp);
      }
      // A rule of one ISP only ever meets that ISP: the last counter is most often the one.
      let counter = byIsp.lastIsp === isp ? byIsp.last : byIsp.counters.get(isp);
      if (counter === undefined) {
        const rule = 'id' in key ? key : null;
        counter = {
          patternId: rule?.id ?? null,
          type: key.type,
          matchedBy: rule ? 'PATTERN' : (key as FallbackVerdict).matchedBy,
          ispId: isp?.id ?? null,
          count: 0,
          lastAt: at,
        };
        byIsp.counters.set(isp, counter);
      }
      byIsp.lastIsp = isp;
      byIsp.last = counter;
      counter.count++;
      counter.lastAt = at;
    }
    this.heldCount = 0;
  }

  private readClock(): void {
    this.count();
    this.stale = false;
    this.now = this.clock();
    const hour = this.now - (this.now % BUCKET.hour);
    if (hour !== this.hour) {
      this.closed.push(...this.hitCounts());
      this.counters = new Map();
      this.hour = hour;
    }
  }

  private hitCounts(): HitCount[] {
    return this.liveCounters().map((c) => ({ ...c, start: this.hour, span: 'hour' as const }));
  }

  private liveCounters(): Counter[] {
    return [...this.counters.values()].flatMap((byIsp) => [...byIsp.counters.values()]);
  }

  /** Writes what was counted since the last flush to the store (one transaction), then prunes hourly. */
  flush(): Promise<void> {
    this.flushing ??= this.writeOut().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async writeOut(): Promise<void> {
    this.count();
    this.stale = true;
    const hits = [...this.closed, ...this.hitCounts()];
    const replies = this.replies;
    const unmatchedReplies = this.unmatchedReplies;
    this.closed = [];
    this.counters = new Map();
    this.replies = new Reservoir(this.options.repliesPerFlush);
    this.unmatchedReplies = new Reservoir(this.options.repliesPerFlush);
    if (hits.length > 0) {
      const mask = maskOnce();
      try {
        await this.store.add({
          hits,
          unmatched: groupUnmatched(unmatchedReplies, mask),
          sample: sampled(replies, this.options, mask),
        });
      } catch (error) {
        // The write is one transaction, so nothing of it was kept: the hit counts wait for the next
        // flush (the masked replies of this interval are dropped).
        this.closed.unshift(...hits);
        throw error;
      }
    }
    const now = this.clock();
    if (now - this.lastPrune >= PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await this.store.prune({
        hourlyUntil: now - (now % BUCKET.day) - HOURLY_FOR_MS + BUCKET.day,
        dropBefore: now - this.options.retentionDays * BUCKET.day,
        sampleCapacity: this.options.sampleCapacity,
      });
    }
    this.totals = undefined;
    this.pending = undefined;
  }

  /** Total hits and last hit of every pattern in the store (every replica's flushed counts). */
  async loadTotals(): Promise<void> {
    const rows = await this.store.hits({ by: ['patternId'] });
    const byPattern = new Map<string, PatternHits>();
    for (const row of rows)
      if (row.patternId) byPattern.set(row.patternId, { total: row.count, lastHitAt: row.lastAt });
    this.totals = { at: this.clock(), byPattern };
  }

  /**
   * A pattern's hits as last loaded (at most one flush interval old, across replicas) plus what this
   * replica counted since its last flush (summed at most once a second: a list sorts thousands of rows).
   * Synchronous, for sorting and filtering the pattern list.
   */
  patternHits(patternId: string): PatternHits {
    const stored = this.totals?.byPattern.get(patternId) ?? { total: 0, lastHitAt: null };
    const pending = this.pendingByPattern().get(patternId);
    if (pending === undefined) return stored;
    return { total: stored.total + pending.total, lastHitAt: Math.max(stored.lastHitAt ?? 0, pending.lastHitAt!) };
  }

  private pending: { at: number; byPattern: Map<string, PatternHits> } | undefined;

  private pendingByPattern(): Map<string, PatternHits> {
    this.count();
    const now = this.clock();
    if (this.pending !== undefined && now - this.pending.at < PENDING_SUM_MS) return this.pending.byPattern;
    const byPattern = new Map<string, PatternHits>();
    for (const counter of [...this.liveCounters(), ...this.closed]) {
      if (counter.patternId === null) continue;
      const sum = byPattern.get(counter.patternId);
      byPattern.set(counter.patternId, {
        total: (sum?.total ?? 0) + counter.count,
        lastHitAt: Math.max(sum?.lastHitAt ?? 0, counter.lastAt),
      });
    }
    this.pending = { at: now, byPattern };
    return byPattern;
  }

  /** Loads the totals when they are older than one flush interval. */
  async freshTotals(): Promise<void> {
    if (this.totals === undefined || this.clock() - this.totals.at >= this.options.flushIntervalMs)
      await this.loadTotals();
  }

  /** A pattern's buckets: hourly for the last two days, daily over the retention (flushed counts). */
  async patternBuckets(patternId: string): Promise<{ hourly: HitRow[]; daily: HitRow[] }> {
    const now = this.clock();
    const rows = await this.store.hits({ by: ['bucket'], patternId });
    const hourly = rows.filter((row) => row.span === 'hour' && row.start! >= now - HOURLY_FOR_MS);
    const daily = new Map<number, { start: number; span: 'day'; count: number; lastAt: number }>();
    for (const row of rows) {
      const start = row.start! - (row.start! % BUCKET.day);
      const day = daily.get(start) ?? { start, span: 'day' as const, count: 0, lastAt: 0 };
      day.count += row.count;
      day.lastAt = Math.max(day.lastAt, row.lastAt);
      daily.set(start, day);
    }
    const byStart = (a: HitRow, b: HitRow) => a.start! - b.start!;
    return { hourly: hourly.sort(byStart), daily: [...daily.values()].sort(byStart) };
  }

  /** Totals by verdict and by ISP since a moment (flushed counts). */
  async totalsSince(since: number | undefined) {
    const [byVerdict, byIsp] = await Promise.all([
      this.store.hits({ by: ['type', 'matchedBy'], since }),
      this.store.hits({ by: ['ispId', 'type'], since }),
    ]);
    return { byVerdict, byIsp };
  }

  get flushIntervalMs(): number {
    return this.options.flushIntervalMs;
  }

  get sampleCapacity(): number {
    return this.options.sampleCapacity;
  }
}

type Mask = (held: HeldReply) => MaskedReply & { sampleKey: string };

/** Masks each held reply once per flush (the sample and the unmatched groups hold the same replies). */
function maskOnce(): Mask {
  const done = new Map<HeldReply, MaskedReply & { sampleKey: string }>();
  return (held) => {
    let masked = done.get(held);
    if (masked === undefined) {
      const { template, example } = maskReply(held.request.reply, localPartOf(held.request.recipient));
      masked = { template, example, sampleKey: keyOf(template, held.verdict.isp?.id ?? null) };
      done.set(held, masked);
    }
    return masked;
  };
}

function groupUnmatched(reservoir: Reservoir, mask: Mask): UnmatchedGroup[] {
  const groups = new Map<string, UnmatchedGroup>();
  const weight = reservoir.weight;
  for (const held of reservoir.held) {
    const { verdict, at } = held;
    const { template, example } = mask(held);
    const ispId = verdict.isp?.id ?? null;
    const key = keyOf(template, ispId, verdict.type);
    const group = groups.get(key);
    groups.set(key, {
      key,
      template,
      example,
      ispId,
      type: verdict.type,
      matchedBy: verdict.matchedBy,
      count: (group?.count ?? 0) + weight,
      firstSeenAt: Math.min(group?.firstSeenAt ?? at, at),
      lastSeenAt: Math.max(group?.lastSeenAt ?? at, at),
    });
  }
  return [...groups.values()].map((group) => ({ ...group, count: Math.max(1, Math.round(group.count)) }));
}

function sampled(reservoir: Reservoir, options: StatisticsOptions, mask: Mask): SampledReply[] {
  const sample = new RecentSample(options.sampleCapacity);
  const weight = reservoir.weight;
  for (const held of [...reservoir.held].sort((a, b) => a.at - b.at)) {
    const { template, sampleKey } = mask(held);
    const { verdict, at } = held;
    sample.add({
      key: sampleKey,
      template,
      ispId: verdict.isp?.id ?? null,
      type: verdict.type,
      count: weight,
      lastSeenAt: at,
    });
  }
  return sample.entries().map((entry) => ({ ...entry, count: Math.max(1, Math.round(entry.count)) }));
}
