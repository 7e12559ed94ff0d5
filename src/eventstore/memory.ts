import { EventEmitter } from 'node:events';
import { chainHash } from './chain.js';
import { lastPositionAt, pageOf, passes } from './logFilter.js';
import { pollingSubscription } from './pollingSubscription.js';
import {
  WrongExpectedVersion,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedVersion,
  type LogFilter,
  type LogRange,
  type StoredEvent,
  type SubscriptionHandler,
} from './port.js';

const BATCH = 500;

/** An event store in memory, for unit tests only: it keeps nothing across restarts. */
export class MemoryEventStore implements EventStore {
  private readonly log: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  /** Keyed by stream and event id: a retry is recognised within its stream, as every store does. */
  private readonly byEventId = new Map<string, StoredEvent>();
  private readonly appended = new EventEmitter();

  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedVersion): Promise<AppendResult> {
    const stream = this.streams.get(streamId) ?? [];
    const retried =
      events.length > 0 ? this.byEventId.get(`${streamId}\u0000${events[events.length - 1]!.eventId}`) : undefined;
    if (retried) return { nextVersion: retried.version, position: retried.position };
    if (expected !== 'any' && expected !== stream.length)
      throw new WrongExpectedVersion(streamId, expected, stream.length);
    for (const event of events) {
      const previous = this.log[this.log.length - 1];
      const envelope = { ...event, streamId, version: stream.length + 1, position: BigInt(this.log.length + 1) };
      const stored: StoredEvent = { ...envelope, hash: chainHash(previous?.hash ?? null, envelope) };
      stream.push(stored);
      this.log.push(stored);
      this.byEventId.set(`${streamId}\u0000${stored.eventId}`, stored);
    }
    this.streams.set(streamId, stream);
    this.appended.emit('appended');
    return { nextVersion: stream.length, position: BigInt(this.log.length) };
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return [...(this.streams.get(streamId) ?? [])];
  }

  async *readAll(options: { after?: bigint | null; maxCount?: number } = {}): AsyncIterable<StoredEvent> {
    const start = Number(options.after ?? 0n);
    const end = options.maxCount === undefined ? this.log.length : start + options.maxCount;
    yield* this.log.slice(start, end);
  }

  subscribeAll(after: bigint | null, handler: SubscriptionHandler) {
    return pollingSubscription(
      after,
      handler,
      (from) => this.log.slice(Number(from ?? 0n), Number(from ?? 0n) + BATCH),
      (wake) => {
        this.appended.on('appended', wake);
        return () => this.appended.off('appended', wake);
      },
      1_000,
    );
  }

  async headPosition(): Promise<bigint | null> {
    return this.log.length === 0 ? null : BigInt(this.log.length);
  }

  async readLog(filter: LogFilter, range: LogRange): Promise<StoredEvent[]> {
    return pageOf(this.log.filter(passes(filter)), range);
  }

  async countLog(filter: LogFilter): Promise<number> {
    return this.log.filter(passes(filter)).length;
  }

  async positionAt(at: string, filter: LogFilter): Promise<bigint | null> {
    return lastPositionAt(this.log.filter(passes(filter)), at);
  }

  async close(): Promise<void> {
    this.appended.removeAllListeners();
  }
}
