import { LOG_STREAM_PREFIXES } from '../domain/streams.js';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ANY,
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  isCommandError,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type CurrentRevision,
  type JSONEventType,
  type JSONType,
  type ReadPosition,
  type ResolvedEvent,
  type WrongExpectedVersionError,
} from '@eventstore/db-client';
import type { EventMetadata } from '../domain/events.js';
import { chainHashV1 } from './chain.js';
import { byTime, lastPositionAt, pageOf, passes } from './logFilter.js';
import {
  StoreUnavailable,
  StreamDeleted,
  WrongExpectedVersion,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedVersion,
  type LogFilter,
  type LogRange,
  type StoredEvent,
  type StoreSubscription,
  type SubscriptionHandler,
} from './port.js';

/**
 * Anchors of the hash chain: each folds the chain of this service's events up to a commit position. A
 * stream outside the service's prefixes (LOG_STREAM_PREFIXES), so projections never see it.
 */
export const CHAIN_ANCHOR_STREAM = 'bounce-patterns-chain-anchors';

const toAnchor = (resolved: ResolvedEvent<JSONEventType>): { position: bigint; hash: string } | null => {
  const data = resolved.event?.data as { position?: unknown; hash?: unknown } | undefined;
  return typeof data?.position === 'string' && typeof data.hash === 'string'
    ? { position: BigInt(data.position), hash: data.hash }
    : null;
};

/** The metadata key EventStoreDB's $by_correlation_id projection reads; it holds our command id. */
const CORRELATION_KEY = '$correlationId';

export interface EventStoreDbOptions {
  streamPrefixes?: readonly string[];
  /** Backoff of a subscription reconnecting after a dropped connection: first delay, doubled up to the max. */
  reconnectDelayMs?: number;
  /** How long after an append the hash chain is anchored (one anchor for every append of that while). */
  anchorDelayMs?: number;
  maxReconnectDelayMs?: number;
  /** How often a subscription reads the end of $all to tell that it holds every event (freshness). */
  headReadMs?: number;
}

/** A freshness read stops here: the subscription's own checkpoints keep the stretch it walks short. */
const HEAD_READ_MAX_EVENTS = 1_000;

const isCommandErrorOf = (error: unknown, ...types: ErrorType[]) =>
  error instanceof Error && isCommandError(error) && types.includes(error.type);
/** A subscription waits out connection problems but not configuration errors, which no retry fixes. */
const FATAL = [ErrorType.ACCESS_DENIED, ErrorType.INVALID_ARGUMENT, ErrorType.UNSUPPORTED];
/** Answers about the stream itself: no other client or node would answer differently. */
const DEFINITE = [
  ...FATAL,
  ErrorType.WRONG_EXPECTED_VERSION,
  ErrorType.STREAM_DELETED,
  ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED,
];

/** Writes and the reads that decide them go to the leader: a follower's state may lag and cause false conflicts. */
const LEADER = { requiresLeader: true } as const;

/**
 * The client's own defaults give up discovering a leader after 10 attempts 100 ms apart: shorter than an
 * election. Unless the connection string says otherwise, keep looking for 30 s.
 */
export function withDiscoveryDefaults(connectionString: string): string {
  const defaults: Record<string, string> = { maxDiscoverAttempts: '60', discoveryInterval: '500' };
  const [base, query = ''] = connectionString.split(/\?(.*)/s, 2) as [string, string?];
  const params = new URLSearchParams(query);
  const present = new Set([...params.keys()].map((key) => key.toLowerCase()));
  const added = Object.entries(defaults).filter(([key]) => !present.has(key.toLowerCase()));
  if (added.length === 0) return connectionString;
  const extra = added.map(([key, value]) => `${key}=${value}`).join('&');
  return `${base}?${query ? `${query}&` : ''}${extra}`;
}

/** Our versions count events (1 = first); EventStoreDB revisions are 0-based. */
const toExpectedRevision = (expected: ExpectedVersion): AppendExpectedRevision =>
  expected === 'any' ? ANY : expected === 0 ? NO_STREAM : BigInt(expected - 1);
const toVersion = (revision: CurrentRevision): number => (revision === NO_STREAM ? 0 : Number(revision) + 1);

/**
 * Our position is the event's commit position. Outside multi-event transactions (which the gRPC API
 * never writes) EventStoreDB gives every event the same prepare and commit position.
 */
const toReadPosition = (after: bigint | null): ReadPosition =>
  after === null ? START : { commit: after, prepare: after };

/**
 * The production event store: EventStoreDB, through its gRPC client. Positions are commit positions in
 * `$all`. Appends cannot know the event before theirs in `$all`, so the hash chain is kept in anchors
 * written shortly after (see `anchorChain`), and computed when the log is read from its start.
 */
export class EventStoreDbEventStore implements EventStore {
  private client: EventStoreDBClient;
  private readonly connect: () => EventStoreDBClient;
  private readonly prefixes: string[];
  private readonly anchorDelayMs: number;
  private anchorTimer: NodeJS.Timeout | null = null;
  private anchoring: Promise<void> | null = null;
  private closed = false;
  private readonly reconnectDelayMs: number;
  private readonly maxReconnectDelayMs: number;
  private readonly headReadMs: number;

  /** A client, or a way to make one: then a client stuck after a failed leader election is replaced. */
  constructor(client: EventStoreDBClient | (() => EventStoreDBClient), options: EventStoreDbOptions = {}) {
    this.connect = typeof client === 'function' ? client : () => client;
    this.client = this.connect();
    // Reservations included: their claims are decided on reading them back. Everything else in $all
    // (system streams, other services) is ignored.
    this.prefixes = [...(options.streamPrefixes ?? LOG_STREAM_PREFIXES)];
    this.reconnectDelayMs = options.reconnectDelayMs ?? 100;
    this.anchorDelayMs = options.anchorDelayMs ?? 1_000;
    this.maxReconnectDelayMs = options.maxReconnectDelayMs ?? 5_000;
    this.headReadMs = options.headReadMs ?? 250;
  }

  /**
   * The client remembers a failed server-capabilities check (made during a leader election, say) and then
   * fails every append while reads still work. An append that fails for any reason but the stream's own
   * state is retried once on a new client; the same event ids make the retry idempotent.
   */
  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedVersion): Promise<AppendResult> {
    try {
      return await this.appendOnce(streamId, events, expected);
    } catch (error) {
      if (!isTransient(error)) throw error;
      this.replaceClient();
      try {
        return await this.appendOnce(streamId, events, expected);
      } catch (again) {
        if (!isTransient(again)) throw again;
        this.replaceClient();
        throw new StoreUnavailable('EventStoreDB cannot take the append now', { cause: again });
      }
    }
  }

  private replaceClient(): void {
    const failed = this.client;
    this.client = this.connect();
    if (failed !== this.client) void failed.dispose().catch(() => undefined);
  }

  private async appendOnce(
    streamId: string,
    events: readonly EventToAppend[],
    expected: ExpectedVersion,
  ): Promise<AppendResult> {
    const eventData = events.map((event) =>
      jsonEvent({
        // Our event id comes from the command id: EventStoreDB recognises a retried command (same ids,
        // same expected revision) and answers with the first write's result instead of writing again.
        id: event.eventId,
        type: event.type,
        data: event.data as JSONType,
        // `$correlationId` is what the $by_correlation_id system projection links by: `$bc-<commandId>`
        // then holds the events of one command (see readNamed). Removed again when the event is read.
        metadata: { ...event.metadata, [CORRELATION_KEY]: event.metadata.commandId } as unknown as JSONType,
      }),
    );
    let result: Awaited<ReturnType<typeof this.client.appendToStream>>;
    try {
      result = await this.client.appendToStream(streamId, eventData, {
        ...LEADER,
        expectedRevision: toExpectedRevision(expected),
      });
    } catch (error) {
      if (isCommandErrorOf(error, ErrorType.STREAM_DELETED)) throw new StreamDeleted(streamId);
      if (isCommandErrorOf(error, ErrorType.WRONG_EXPECTED_VERSION)) {
        throw new WrongExpectedVersion(
          streamId,
          expected,
          toVersion((error as WrongExpectedVersionError).actualVersion),
        );
      }
      throw error;
    }
    // With `throwOnAppendFailure=false` in the connection string the client resolves instead of throwing.
    if (!result.success) {
      throw new WrongExpectedVersion(
        streamId,
        expected,
        toVersion(result.nextExpectedRevision < 0n ? NO_STREAM : result.nextExpectedRevision),
      );
    }
    this.scheduleAnchor();
    const position = result.position?.commit ?? (await this.positionOfRevision(streamId, result.nextExpectedRevision));
    return { nextVersion: toVersion(result.nextExpectedRevision), position };
  }

  /** Some server versions answer an idempotent (retried) write without a position: look it up. */
  private async positionOfRevision(streamId: string, revision: bigint): Promise<bigint> {
    for await (const resolved of this.client.readStream(streamId, { ...LEADER, fromRevision: revision, maxCount: 1 })) {
      const position = resolved.event?.position?.commit;
      if (position !== undefined) return position;
    }
    throw new Error(`no position for ${streamId}@${revision}`);
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const events: StoredEvent[] = [];
    try {
      for await (const resolved of this.client.readStream(streamId, LEADER)) {
        const event = this.toStoredEvent(resolved);
        if (event) events.push(event);
      }
    } catch (error) {
      if (isCommandErrorOf(error, ErrorType.STREAM_NOT_FOUND)) return [];
      if (isCommandErrorOf(error, ErrorType.STREAM_DELETED)) throw new StreamDeleted(streamId);
      throw error;
    }
    return events;
  }

  /**
   * The client's readAll has no server-side filter, so our streams are picked out here; `maxCount`
   * counts our events, not the system events skipped on the way.
   */
  /**
   * Read from the start of the log, events carry the hash chain: each hash folds the one before, and at
   * every anchor the anchored hash stands instead, so `verifyChain` finds an anchor that no longer matches
   * the events before it (one altered or removed). With no anchor yet, or read from a position, no hash.
   */
  async *readAll(options: { after?: bigint | null; maxCount?: number } = {}): AsyncIterable<StoredEvent> {
    const anchors = options.after == null ? await this.readAnchors() : [];
    if (anchors.length === 0) {
      yield* this.readOurs(options);
      return;
    }
    let next = 0;
    let previous: string | null = null;
    for await (const event of this.readOurs(options)) {
      let hash = chainHashV1(previous, event);
      // The first event at or past an anchor: past it means the anchored event itself is gone.
      if (next < anchors.length && anchors[next]!.position <= event.position) {
        hash = anchors[next]!.hash;
        while (next < anchors.length && anchors[next]!.position <= event.position) next++;
      }
      previous = hash;
      yield { ...event, hash };
    }
  }

  /**
   * Folds the chain over the events since the last anchor and appends an anchor for them. Replicas anchor
   * concurrently: the anchor stream's expected revision lets one of them win, the others have nothing to add.
   */
  async anchorChain(): Promise<void> {
    let last: { revision: bigint; position: bigint; hash: string } | null = null;
    try {
      for await (const resolved of this.client.readStream<JSONEventType>(CHAIN_ANCHOR_STREAM, {
        ...LEADER,
        direction: BACKWARDS,
        fromRevision: END,
        maxCount: 1,
      })) {
        const anchor = toAnchor(resolved);
        if (anchor) last = { ...anchor, revision: resolved.event!.revision };
      }
    } catch (error) {
      if (!isCommandErrorOf(error, ErrorType.STREAM_NOT_FOUND)) throw error;
    }
    let hash = last?.hash ?? null;
    let position: bigint | null = null;
    for await (const event of this.readOurs({ after: last?.position ?? null })) {
      hash = chainHashV1(hash, event);
      position = event.position;
    }
    if (position === null || hash === null) return;
    try {
      await this.client.appendToStream(
        CHAIN_ANCHOR_STREAM,
        jsonEvent({ type: 'ChainAnchored', data: { position: String(position), hash } }),
        { ...LEADER, expectedRevision: last ? last.revision : NO_STREAM },
      );
    } catch (error) {
      if (!isCommandErrorOf(error, ErrorType.WRONG_EXPECTED_VERSION)) throw error;
    }
  }

  /** Anchors follow appends by `anchorDelayMs`, one for all the appends of that while. */
  private scheduleAnchor(): void {
    if (this.anchorTimer || this.closed) return;
    this.anchorTimer = setTimeout(() => {
      this.anchorTimer = null;
      this.anchoring = this.anchorChain()
        .catch((error: unknown) => console.error('event store: anchoring the hash chain failed:', error))
        .finally(() => {
          this.anchoring = null;
        });
    }, this.anchorDelayMs);
    this.anchorTimer.unref();
  }

  private async readAnchors(): Promise<{ position: bigint; hash: string }[]> {
    const anchors: { position: bigint; hash: string }[] = [];
    try {
      for await (const resolved of this.client.readStream<JSONEventType>(CHAIN_ANCHOR_STREAM, LEADER)) {
        const anchor = toAnchor(resolved);
        if (anchor) anchors.push(anchor);
      }
    } catch (error) {
      if (!isCommandErrorOf(error, ErrorType.STREAM_NOT_FOUND)) throw error;
    }
    return anchors;
  }

  /**
   * EventStoreDB keeps no index of metadata. A filter that names streams reads those streams, one that names
   * a command id reads its `$bc-<commandId>` stream (the standard `$by_correlation_id` system projection, which
   * links events by the `$correlationId` written with them); any other filter scans $all from the page's start,
   * holding one page, in time proportional to how far it reads.
   */
  async readLog(filter: LogFilter, range: LogRange): Promise<StoredEvent[]> {
    const named = await this.readNamed(filter);
    if (named) return pageOf(named.filter(passes(filter)), range);
    const keep = passes(filter);
    const page: StoredEvent[] = [];
    if (range.limit <= 0) return page;
    for await (const event of this.readOurs({ after: range.after, backwards: range.backwards })) {
      if (!keep(event)) continue;
      page.push(event);
      if (page.length >= range.limit) break;
    }
    return page;
  }

  /** A scan of $all, unless the filter names streams or a command id (see readLog). */
  async countLog(filter: LogFilter): Promise<number> {
    const keep = passes(filter);
    const named = await this.readNamed(filter);
    if (named) return named.filter(keep).length;
    let count = 0;
    for await (const event of this.readOurs({})) if (keep(event)) count++;
    return count;
  }

  /** $all read backwards from its end: the first event by `at` (events are stamped in log order). */
  async positionAt(at: string, filter: LogFilter): Promise<bigint | null> {
    const keep = passes(byTime(filter, at));
    const named = await this.readNamed(filter);
    if (named) return lastPositionAt(named.filter(keep), at);
    for await (const event of this.readOurs({ backwards: true })) if (keep(event)) return event.position;
    return null;
  }

  /** The events of the streams a filter names, or of its command id; null when it names neither. */
  private async readNamed(filter: LogFilter): Promise<StoredEvent[] | null> {
    if (filter.commandId !== undefined) {
      const events: StoredEvent[] = [];
      try {
        for await (const resolved of this.client.readStream(`$bc-${filter.commandId}`, { resolveLinkTos: true })) {
          const event = this.toStoredEvent(resolved);
          if (event) events.push(event);
        }
      } catch (error) {
        if (!isCommandErrorOf(error, ErrorType.STREAM_NOT_FOUND)) throw error;
      }
      return events;
    }
    if (!filter.streamIds?.length) return null;
    return (await Promise.all(filter.streamIds.map((streamId) => this.readStream(streamId)))).flat();
  }

  private async *readOurs(options: {
    after?: bigint | null;
    maxCount?: number;
    backwards?: boolean;
  }): AsyncIterable<StoredEvent> {
    const after = options.after ?? null;
    const backwards = options.backwards ?? false;
    let left = options.maxCount ?? Infinity;
    if (left <= 0) return;
    const read = this.client.readAll({
      direction: backwards ? BACKWARDS : FORWARDS,
      fromPosition: backwards && after === null ? END : toReadPosition(after),
    });
    try {
      for await (const resolved of read) {
        const event = this.toStoredEvent(resolved);
        // Reading $all from a position may include the event at that position: ours are exclusive.
        if (!event || (after !== null && (backwards ? event.position >= after : event.position <= after))) continue;
        yield event;
        if (--left === 0) return;
      }
    } finally {
      await read.cancel();
    }
  }

  subscribeAll(after: bigint | null, handler: SubscriptionHandler): StoreSubscription {
    let checkpoint = after;
    let current: AllStreamSubscription | null = null;
    const stopping = new AbortController();

    /** Follows $all until stopped; a dropped connection resubscribes from the last delivered event. */
    const follow = async (): Promise<void> => {
      let attempt = 0;
      while (!stopping.signal.aborted) {
        // The server reports how far it has filtered (checkpointReached): a reconnect resumes there instead
        // of rescanning every filtered-out event since our last one. A checkpoint only counts once every
        // event the server sent before it has been handled.
        let pulled = 0;
        let handled = 0;
        const marks: { after: number; position: bigint }[] = [];
        const advance = () => {
          while (marks.length > 0 && marks[0]!.after <= handled) {
            const { position } = marks.shift()!;
            if (checkpoint === null || position > checkpoint) checkpoint = position;
          }
        };
        const subscription = this.client.subscribeToAll({
          fromPosition: toReadPosition(checkpoint),
          filter: streamNameFilter({
            prefixes: this.prefixes,
            checkpointReached: (reached, position) => {
              marks.push({ after: pulled + reached.readableLength, position: position.commit });
              advance();
            },
          }),
        });
        current = subscription;
        const events = subscription[Symbol.asyncIterator]();
        let dropped: unknown = null;
        try {
          while (!stopping.signal.aborted) {
            let next: IteratorResult<AllStreamResolvedEvent>;
            try {
              next = await events.next();
            } catch (error) {
              dropped = error;
              break;
            }
            if (next.done) break;
            pulled += 1;
            const event = this.toStoredEvent(next.value);
            // After a reconnect the server may replay the checkpoint itself: deliver each event once.
            if (event && (checkpoint === null || event.position > checkpoint)) {
              // Outside the inner try: a failing handler ends the subscription, it is not a connection problem.
              await handler.onEvents([event]);
              checkpoint = event.position;
              attempt = 0;
            }
            handled += 1;
            advance();
          }
        } finally {
          await closeSubscription(subscription);
        }
        if (stopping.signal.aborted) return;
        if (isCommandErrorOf(dropped, ...FATAL)) throw dropped;
        const delay = Math.min(this.reconnectDelayMs * 2 ** attempt, this.maxReconnectDelayMs);
        attempt += 1;
        await sleep(delay, undefined, { signal: stopping.signal }).catch(() => undefined);
      }
    };

    /**
     * What bounds revocation here (ProjectionRunner.freshWithin): a push subscription never says that the
     * server holds nothing more for it, so the end of $all is read back to what was handled; a read that
     * meets none of our events on the way found nothing new since it began.
     */
    const watchHead = async (onCaughtUp: (readStartedAt: number) => void): Promise<void> => {
      while (!stopping.signal.aborted) {
        await sleep(this.headReadMs, undefined, { signal: stopping.signal }).catch(() => undefined);
        if (stopping.signal.aborted) return;
        const readStartedAt = Date.now();
        // A read that fails tells nothing: the replica is simply not known to be fresh.
        if (await this.nothingAfter(checkpoint).catch(() => false)) onCaughtUp(readStartedAt);
      }
    };

    const running = follow().catch((error) => {
      if (!stopping.signal.aborted) handler.onError?.(error);
    });
    const watching = handler.onCaughtUp && watchHead(handler.onCaughtUp);

    return {
      async stop() {
        stopping.abort();
        if (current) await closeSubscription(current);
        await Promise.all([running, watching]);
      },
    };
  }

  /** Whether $all holds none of our events after `handled`, read backwards from its end (a bounded stretch). */
  private async nothingAfter(handled: bigint | null): Promise<boolean> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: HEAD_READ_MAX_EVENTS });
    let walked = 0;
    try {
      for await (const resolved of read) {
        walked += 1;
        const position = resolved.event?.position?.commit ?? resolved.commitPosition;
        if (handled !== null && position !== undefined && position <= handled) return true;
        if (this.toStoredEvent(resolved)) return false;
      }
      return walked < HEAD_READ_MAX_EVENTS;
    } finally {
      await read.cancel();
    }
  }

  /** $all read backwards, skipping what is not ours (the newest entries are often system events). */
  async headPosition(): Promise<bigint | null> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END });
    try {
      for await (const resolved of read) {
        const event = this.toStoredEvent(resolved);
        if (event) return event.position;
      }
      return null;
    } finally {
      await read.cancel();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.anchorTimer) clearTimeout(this.anchorTimer);
    await this.anchoring;
    await this.client.dispose();
  }

  /** Null for what this service does not own: other streams and system events ($metadata, tombstones…). */
  private toStoredEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | null {
    const recorded = resolved.event;
    if (
      !recorded ||
      recorded.type.startsWith('$') ||
      !this.prefixes.some((prefix) => recorded.streamId.startsWith(prefix))
    ) {
      return null;
    }
    const position = recorded.position?.commit ?? resolved.commitPosition;
    if (position === undefined)
      throw new Error(`EventStoreDB returned ${recorded.id} without a position (server older than 20.6?)`);
    const { [CORRELATION_KEY]: _linkedBy, ...metadata } = recorded.metadata as Record<string, unknown>;
    return {
      eventId: recorded.id,
      streamId: recorded.streamId,
      version: Number(recorded.revision) + 1,
      position,
      type: recorded.type,
      data: recorded.data,
      metadata: metadata as unknown as EventMetadata,
      hash: null,
    };
  }
}

/** Cancels the gRPC call and ends the readable, so an iterator waiting on it returns. */
async function closeSubscription(subscription: AllStreamSubscription): Promise<void> {
  await subscription.unsubscribe().catch(() => undefined);
  subscription.destroy();
}

/** `esdb://host:2113?tls=false`, or a cluster: `esdb://node1:2113,node2:2113,node3:2113?tls=true&tlsCAFile=…`. */
export function openEventStoreDb(connectionString: string, options?: EventStoreDbOptions): EventStoreDbEventStore {
  const withDefaults = withDiscoveryDefaults(connectionString);
  return new EventStoreDbEventStore(() => EventStoreDBClient.connectionString(withDefaults), options);
}

/** Failures a new client or a new leader may not have: everything but answers about the stream itself. */
function isTransient(error: unknown): boolean {
  if (error instanceof WrongExpectedVersion || error instanceof StreamDeleted) return false;
  return !isCommandErrorOf(error, ...DEFINITE);
}
