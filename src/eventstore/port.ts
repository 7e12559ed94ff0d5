import type { EventEnvelope, EventMetadata, RecordedEvent } from '../domain/events.js';
import { upcast } from '../domain/upcast.js';

/** Any event the service writes; the store does not interpret `type` or `data`. */
export interface StoredEventBody {
  readonly type: string;
  readonly data: unknown;
}

export type StoredEvent = StoredEventBody & EventEnvelope & { readonly hash: string | null };

/** A stored event as a domain event of the current schema (see upcast.ts). */
export const recorded = (event: StoredEvent): RecordedEvent => upcast(event) as RecordedEvent;

export interface EventToAppend extends StoredEventBody {
  /** Derived from the command id, so that a retried command is recognised and not written twice. */
  readonly eventId: string;
  readonly metadata: EventMetadata;
}

/** The version the stream must be at (0: the stream must not exist), or 'any'. */
export type ExpectedVersion = number | 'any';

export interface AppendResult {
  /** The stream's version after the append. */
  readonly nextVersion: number;
  /** Log position of the last event written (or found, for a retried command). */
  readonly position: bigint;
}

export class WrongExpectedVersion extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    readonly actual: number,
  ) {
    super(`stream ${streamId} is at version ${actual}, expected ${expected}`);
    this.name = 'WrongExpectedVersion';
  }
}

/** The store's server cannot be reached: nothing was written, or the outcome is unknown (retry with the same ids). */
export class StoreUnavailable extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreUnavailable';
  }
}

/**
 * The log failed its audit at start and is served read-only (AUDIT_ON_TAMPER=read-only): nothing is appended.
 * A kind of StoreUnavailable: whatever would write at start (defaults, a first token) waits as it does then.
 */
export class LogReadOnly extends StoreUnavailable {
  constructor(readonly why: string) {
    super(`the event log is served read-only: ${why}`);
    this.name = 'LogReadOnly';
  }
}

/** The stream was deleted in the store itself (by an operator; this service never deletes streams). */
export class StreamDeleted extends Error {
  constructor(readonly streamId: string) {
    super(`stream ${streamId} was deleted in the event store`);
    this.name = 'StreamDeleted';
  }
}

export interface SubscriptionHandler {
  /** Called with events in log order; the next batch waits until the returned promise settles. */
  onEvents(events: readonly StoredEvent[]): void | Promise<void>;
  onError?(error: unknown): void;
  /**
   * Called when a read that began at `readStartedAt` (Date.now()) found nothing new: every event appended
   * before then has been handed to onEvents. Stores that cannot tell never call it.
   */
  onCaughtUp?(readStartedAt: number): void;
}

/**
 * Which events of the log an auditor asks about: every condition given must hold; a list holds when any
 * of its values does (an empty list is no condition). Indexed on the stores that have indexes.
 */
export interface LogFilter {
  /** Streams whose name starts with one of these. */
  readonly streamPrefixes?: readonly string[];
  readonly streamIds?: readonly string[];
  /** `metadata.actor.id`. */
  readonly actorId?: string;
  readonly types?: readonly string[];
  /** `metadata.commandId`. */
  readonly commandId?: string;
  /**
   * Inclusive bounds on `metadata.occurredAt`, compared as text: ISO 8601 in UTC with milliseconds
   * (`Date.toISOString()`), as the service stamps every event.
   */
  readonly from?: string;
  readonly to?: string;
}

/** A page of the log: up to `limit` events past `after` (exclusive; null: from the end the read starts at). */
export interface LogRange {
  readonly after?: bigint | null;
  readonly limit: number;
  /** Newest first (positions below `after`); default oldest first. */
  readonly backwards?: boolean;
}

export interface StoreSubscription {
  stop(): Promise<void>;
}

/**
 * The port every event store implements (SQLite, EventStoreDB, memory).
 * Positions are exclusive: `after: p` yields the events after p; `after: null` from the start.
 */
export interface EventStore {
  append(streamId: string, events: readonly EventToAppend[], expected: ExpectedVersion): Promise<AppendResult>;
  readStream(streamId: string): Promise<StoredEvent[]>;
  readAll(options?: { after?: bigint | null; maxCount?: number }): AsyncIterable<StoredEvent>;
  /** Catch up from `after`, then follow new events until stopped. */
  subscribeAll(after: bigint | null, handler: SubscriptionHandler): StoreSubscription;
  /** Position of the last event in the log, null when it is empty. */
  headPosition(): Promise<bigint | null>;
  /** The events that pass `filter`, one page in log order (or reversed): what the audit trail reads. */
  readLog(filter: LogFilter, range: LogRange): Promise<StoredEvent[]>;
  /** How many events pass `filter`. */
  countLog(filter: LogFilter): Promise<number>;
  /**
   * Position of the event that passes `filter` and occurred last at or before `at` (ISO 8601 UTC, as in
   * LogFilter), the later position on equal times; null: none did.
   */
  positionAt(at: string, filter: LogFilter): Promise<bigint | null>;
  /** Stores with a server: false while it cannot be reached. Absent: always reachable (embedded stores). */
  isReachable?(): boolean;
  close(): Promise<void>;
}

/** The store with its appends passed through `append` (signing them, refusing them), the rest as it is. */
export function withAppend(store: EventStore, append: EventStore['append']): EventStore {
  return {
    append,
    readStream: (streamId) => store.readStream(streamId),
    readAll: (options) => store.readAll(options),
    subscribeAll: (after, handler) => store.subscribeAll(after, handler),
    headPosition: () => store.headPosition(),
    readLog: (filter, range) => store.readLog(filter, range),
    countLog: (filter) => store.countLog(filter),
    positionAt: (at, filter) => store.positionAt(at, filter),
    isReachable: store.isReachable && (() => store.isReachable!()),
    close: () => store.close(),
  };
}

/** Refuses every append while `refusal` gives one, before anything reaches the store. */
export const refusingWrites = (store: EventStore, refusal: () => LogReadOnly | null): EventStore =>
  withAppend(store, (streamId, events, expected) => {
    const refused = refusal();
    return refused ? Promise.reject(refused) : store.append(streamId, events, expected);
  });
