import { randomUUID } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import {
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  binaryEvent,
  isCommandError,
  type ReadStreamOptions,
} from '@eventstore/db-client';
import type { SampledReply } from '../domain/recentSample.js';
import { withDiscoveryDefaults } from '../eventstore/eventstoredb.js';
import { MemoryStatisticsStore } from './memory.js';
import type * as Port from './port.js';
import { BUCKET, type StatisticsBatch, type StatisticsStore } from './port.js';

/**
 * Outside the log's stream prefixes (LOG_STREAM_PREFIXES: the aggregates' and the reservations'): the
 * projections, the audit trail, the hash chain and `rulesetVersion` never see these streams.
 */
export const STATISTICS_STREAM_PREFIX = 'bounce-patterns-statistics-';

export const STATISTICS_EVENT = {
  flushed: 'StatisticsFlushed',
  snapshotPart: 'StatisticsSnapshotPart',
  snapshotted: 'StatisticsSnapshotted',
  replicaStarted: 'StatisticsReplicaStarted',
} as const;

/** Snapshot parts stay well under EventStoreDB's default append limit (1 MiB). */
const SNAPSHOT_PART_BYTES = 512 * 1024;
/** Deltas smaller than this since the last snapshot are not worth one. */
const SNAPSHOT_MIN_BYTES = 1024 * 1024;

interface Recorded {
  readonly type: string;
  readonly revision: bigint;
  readonly data: unknown;
}

interface SnapshotPart extends StatisticsBatch {
  readonly snapshot: string;
}

interface Snapshotted {
  readonly snapshot: string;
  /** The revision of the snapshot's first part, as a string (JSON has no bigint). */
  readonly from: string;
}

/**
 * Flushes repeat field names, ids and templates: deflated JSON is several times smaller than the JSON,
 * on the server's disk and on every read. The events are binary: the server's UI shows no fields.
 */
export const encodeEventData = (data: unknown): Uint8Array => deflateRawSync(JSON.stringify(data));
export const decodeEventData = (data: unknown): unknown => JSON.parse(inflateRawSync(data as Uint8Array).toString());
const statisticsEvent = (type: string, data: unknown) => binaryEvent({ type, data: encodeEventData(data) });

const isNotFound = (error: unknown) =>
  error instanceof Error && isCommandError(error) && error.type === ErrorType.STREAM_NOT_FOUND;

export interface EventStoreDbStatisticsOptions {
  /** Streams keep events this long (`$maxAge`); the counts in memory are pruned to it as well. */
  readonly retentionDays: number;
  readonly clock?: () => number;
  /** Of the streams' names (tests sharing a server keep apart with their own). */
  readonly prefix?: string;
}

/**
 * Statistics in EventStoreDB, which has no rows to add to: each replica appends what it counted in one
 * flush (`StatisticsFlushed`, the same batch the SQL stores upsert) to a stream of its own, and every
 * replica folds every replica's stream into memory, reading on from where it stopped before each query.
 *
 * So that neither the streams nor a start grow without bound, a replica writes a snapshot of all it has
 * flushed (in parts, then a `StatisticsSnapshotted` marker appended with the next flush) whenever its
 * flushes since the last snapshot outweigh that snapshot, and truncates its stream before the snapshot
 * (`$tb`): a stream holds at most about two snapshots' worth, a start reads each stream from its last
 * snapshot (and so does a replica that had not read that far: it reads every stream anew). `$maxAge` drops
 * what is older than the retention (a stopped replica's stream goes whole).
 * A restarted replica starts a new stream; the old one keeps counting in the sums until it ages out.
 */
export class EventStoreDbStatisticsStore implements StatisticsStore {
  /** Every replica's flushes, summed. */
  private combined = new MemoryStatisticsStore();
  /** This replica's flushes, what its snapshots hold. */
  private readonly own = new MemoryStatisticsStore();
  readonly stream: string;
  /** Where each replica names its stream, so that every replica finds every other's. */
  private readonly replicasStream: string;
  private readonly clock: () => number;
  private readonly maxAge: number;
  /** Next revision to read of each replica's stream; -1: not read yet (from its last snapshot then). */
  private readonly followed = new Map<string, bigint>();
  private replicasNext = 0n;
  private announcedAt = Number.NEGATIVE_INFINITY;
  private flushedBytes = 0;
  /** The first part of the last snapshot, until the stream is truncated before it. */
  private truncateBefore: bigint | null = null;
  /** The last prune's limits, applied again to what a new reading folds. */
  private pruned: Parameters<StatisticsStore['prune']>[0] | null = null;
  private snapshotBytes = 0;
  /** A read that has not begun: callers that come meanwhile share it, and it sees what they wrote. */
  private queuedRead: Promise<void> | undefined;
  private lastRead: Promise<void> = Promise.resolve();

  constructor(
    private readonly client: EventStoreDBClient,
    options: EventStoreDbStatisticsOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    const prefix = options.prefix ?? STATISTICS_STREAM_PREFIX;
    this.stream = `${prefix}replica-${randomUUID()}`;
    this.replicasStream = `${prefix}replicas`;
    this.maxAge = Math.round((options.retentionDays * BUCKET.day) / 1000);
  }

  async add(batch: StatisticsBatch): Promise<void> {
    await this.announce();
    const delta = statisticsEvent(STATISTICS_EVENT.flushed, batch);
    const size = delta.data.byteLength;
    if (this.flushedBytes >= Math.max(this.snapshotBytes, SNAPSHOT_MIN_BYTES)) {
      // The marker goes with this flush, atomically: a snapshot whose marker is missing is never read.
      const { marker, from, bytes } = await this.writeSnapshotParts();
      await this.client.appendToStream(this.stream, [marker, delta]);
      this.snapshotBytes = bytes;
      this.flushedBytes = 0;
      this.truncateBefore = from;
    } else await this.client.appendToStream(this.stream, delta);
    await this.own.add(batch);
    this.flushedBytes += size;
    // Written: nothing that fails now may make the caller send the counts again.
    try {
      if (this.truncateBefore !== null) {
        const truncateBefore = Number(this.truncateBefore);
        await this.client.setStreamMetadata(this.stream, { maxAge: this.maxAge, truncateBefore });
        this.truncateBefore = null;
      }
      await this.catchUp();
    } catch (error) {
      console.error('statistics: EventStoreDB took the flush, but reading or truncating failed:', error);
    }
  }

  /** Appends this replica's flushed counts in parts; the marker naming them is the caller's to append. */
  private async writeSnapshotParts() {
    const snapshot = randomUUID();
    const rows = this.own.contents();
    let from: bigint | null = null;
    let bytes = 0;
    let part: { hits: unknown[]; unmatched: unknown[]; sample: unknown[] } = { hits: [], unmatched: [], sample: [] };
    let partBytes = 0;
    const writePart = async () => {
      const event = statisticsEvent(STATISTICS_EVENT.snapshotPart, { snapshot, ...part });
      bytes += event.data.byteLength;
      const written = await this.client.appendToStream(this.stream, event);
      from ??= written.nextExpectedRevision;
      part = { hits: [], unmatched: [], sample: [] };
      partBytes = 0;
    };
    for (const kind of ['hits', 'unmatched', 'sample'] as const)
      for (const row of rows[kind]) {
        const rowBytes = JSON.stringify(row).length;
        if (partBytes + rowBytes > SNAPSHOT_PART_BYTES && partBytes > 0) await writePart();
        part[kind].push(row);
        partBytes += rowBytes;
      }
    await writePart();
    const data: Snapshotted = { snapshot, from: String(from) };
    return {
      marker: statisticsEvent(STATISTICS_EVENT.snapshotted, data),
      from: from!,
      bytes,
    };
  }

  /** Names this replica's stream in the directory, again each day so that `$maxAge` keeps it there. */
  private async announce(): Promise<void> {
    const now = this.clock();
    if (now - this.announcedAt < BUCKET.day) return;
    if (this.announcedAt < 0) {
      await this.client.setStreamMetadata(this.replicasStream, { maxAge: this.maxAge });
      await this.client.setStreamMetadata(this.stream, { maxAge: this.maxAge });
    }
    await this.client.appendToStream(
      this.replicasStream,
      statisticsEvent(STATISTICS_EVENT.replicaStarted, { stream: this.stream }),
    );
    this.announcedAt = now;
  }

  /** Reads every replica's new flushes; the read begins after the call. */
  private catchUp(): Promise<void> {
    if (this.queuedRead === undefined) {
      this.queuedRead = this.lastRead
        .catch(() => undefined)
        .then(() => {
          this.queuedRead = undefined;
          return this.readNew();
        });
      this.lastRead = this.queuedRead;
    }
    return this.queuedRead;
  }

  private async readNew(): Promise<void> {
    if (await this.readOn()) return;
    // A stream was truncated past where this replica had read it: the flushes in between are only in the
    // snapshot, which holds the rest too. Rare (a replica that read nothing for a snapshot's while): read anew.
    this.combined = new MemoryStatisticsStore();
    for (const stream of this.followed.keys()) this.followed.set(stream, -1n);
    await this.readOn();
    if (this.pruned) await this.combined.prune(this.pruned);
  }

  /** Reads on in every replica's stream; false: one was truncated past where it had been read. */
  private async readOn(): Promise<boolean> {
    for (const event of await this.read(this.replicasStream, { fromRevision: this.replicasNext })) {
      this.replicasNext = event.revision + 1n;
      const stream = (event.data as { stream?: unknown }).stream;
      if (typeof stream === 'string' && !this.followed.has(stream)) this.followed.set(stream, -1n);
    }
    const read = await Promise.all(
      [...this.followed].map(async ([stream, next]) => {
        const reached = next < 0n ? await this.readFromSnapshot(stream) : await this.readFlushes(stream, next);
        if (reached !== null) this.followed.set(stream, reached);
        return reached !== null;
      }),
    );
    return read.every(Boolean);
  }

  /** The flushes after `from`; null when the stream no longer holds `from` (truncated before a snapshot). */
  private async readFlushes(stream: string, from: bigint): Promise<bigint | null> {
    const events = await this.read(stream, { fromRevision: from });
    if (events.length > 0 && events[0]!.revision > from) return null;
    for (const event of events)
      if (event.type === STATISTICS_EVENT.flushed) await this.combined.add(event.data as StatisticsBatch);
    const last = events.at(-1);
    return last === undefined ? from : last.revision + 1n;
  }

  /** A stream not read yet: its last snapshot, then the flushes after it. */
  private async readFromSnapshot(stream: string): Promise<bigint> {
    const after: Recorded[] = [];
    let marker: Recorded | undefined;
    try {
      for await (const resolved of this.client.readStream(stream, { direction: BACKWARDS, fromRevision: END })) {
        const event = resolved.event;
        if (!event) continue;
        const recorded = { type: event.type, revision: event.revision, data: decodeEventData(event.data) };
        if (event.type === STATISTICS_EVENT.snapshotted) {
          marker = recorded;
          break;
        }
        after.push(recorded);
      }
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (marker === undefined && after.length === 0) return -1n;
    if (marker !== undefined) {
      const { snapshot, from } = marker.data as Snapshotted;
      const parts = await this.read(stream, { fromRevision: BigInt(from), maxCount: marker.revision - BigInt(from) });
      for (const part of parts)
        if (part.type === STATISTICS_EVENT.snapshotPart && (part.data as SnapshotPart).snapshot === snapshot)
          await this.combined.add(part.data as SnapshotPart);
    }
    for (const event of after.reverse())
      if (event.type === STATISTICS_EVENT.flushed) await this.combined.add(event.data as StatisticsBatch);
    return (after.at(-1) ?? marker)!.revision + 1n;
  }

  private async read(stream: string, options: ReadStreamOptions): Promise<Recorded[]> {
    const events: Recorded[] = [];
    try {
      for await (const resolved of this.client.readStream(stream, options))
        if (resolved.event)
          events.push({
            type: resolved.event.type,
            revision: resolved.event.revision,
            data: decodeEventData(resolved.event.data),
          });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    return events;
  }

  async prune(limits: { hourlyUntil: number; dropBefore: number; sampleCapacity: number }): Promise<void> {
    this.pruned = limits;
    await this.combined.prune(limits);
    await this.own.prune(limits);
  }

  async hits(query: Port.HitQuery): Promise<Port.HitRow[]> {
    await this.catchUp();
    return this.combined.hits(query);
  }

  async unmatched(query: Port.UnmatchedQuery): Promise<Port.UnmatchedGroup[]> {
    await this.catchUp();
    return this.combined.unmatched(query);
  }

  async sample(limit: number): Promise<SampledReply[]> {
    await this.catchUp();
    return this.combined.sample(limit);
  }

  async close(): Promise<void> {
    await this.lastRead.catch(() => undefined);
    await this.client.dispose();
  }
}

/** A client of its own: the log's client is replaced on failover, statistics need not follow it. */
export function openEventStoreDbStatistics(
  connectionString: string,
  options: EventStoreDbStatisticsOptions,
): EventStoreDbStatisticsStore {
  return new EventStoreDbStatisticsStore(
    EventStoreDBClient.connectionString(withDiscoveryDefaults(connectionString)),
    options,
  );
}
