import { createHash } from 'node:crypto';
import type { EventMetadata } from '../domain/events.js';

/**
 * Tamper evidence: each event's hash covers its identity, type, data and metadata and the hash of
 * the event before it in the log, so changing or removing a stored event breaks every later link.
 */
export function chainHash(
  previousHash: string | null,
  event: { eventId: string; streamId: string; version: number; type: string; data: unknown; metadata: EventMetadata },
): string {
  return createHash('sha256')
    .update(previousHash ?? '')
    .update('\u0000')
    .update(JSON.stringify([event.eventId, event.streamId, event.version, event.type, event.data, event.metadata]))
    .digest('hex');
}

export interface ChainMismatch {
  readonly position: bigint;
  readonly eventId: string;
  readonly streamId: string;
  readonly reason: string;
}

export interface ChainVerification {
  /** true only when the store keeps the chain and every link checked out. */
  readonly ok: boolean;
  /** false: the store keeps no hash chain (EventStoreDB), so nothing was verified. */
  readonly chainKept: boolean;
  readonly eventsChecked: number;
  /** Events whose stored hash is not the one recomputed from them and the previous stored hash. */
  readonly mismatches: number;
  readonly firstMismatch: ChainMismatch | null;
  /** Position and hash of the last event: record them elsewhere to detect a truncated log later. */
  readonly headPosition: bigint | null;
  readonly headHash: string | null;
}

/**
 * Recomputes the chain over the whole log, one event at a time as the store streams it. Each event
 * is checked against the previous *stored* hash, so one altered event is reported alone rather than
 * with every event after it.
 */
export async function verifyChain(
  events: AsyncIterable<{
    position: bigint;
    eventId: string;
    streamId: string;
    version: number;
    type: string;
    data: unknown;
    metadata: EventMetadata;
    hash: string | null;
  }>,
  /** Where the events start: the hash before the first of them (a verified checkpoint's), null from the log's start. */
  from: string | null = null,
): Promise<ChainVerification> {
  let previousHash: string | null = from;
  let headPosition: bigint | null = null;
  let eventsChecked = 0;
  let mismatches = 0;
  let firstMismatch: ChainMismatch | null = null;
  for await (const event of events) {
    if (event.hash === null) {
      return {
        ok: false,
        chainKept: false,
        eventsChecked,
        mismatches,
        firstMismatch,
        headPosition: null,
        headHash: null,
      };
    }
    eventsChecked += 1;
    if (chainHash(previousHash, event) !== event.hash) {
      mismatches += 1;
      firstMismatch ??= {
        position: event.position,
        eventId: event.eventId,
        streamId: event.streamId,
        reason:
          eventsChecked === 1 && from === null
            ? 'the hash does not match the event: it was altered, or events before it were removed'
            : 'the hash does not match the event and the previous hash: it was altered, or the event before it was removed or re-hashed',
      };
    }
    previousHash = event.hash;
    headPosition = event.position;
  }
  return {
    ok: mismatches === 0,
    chainKept: true,
    eventsChecked,
    mismatches,
    firstMismatch,
    headPosition,
    headHash: previousHash,
  };
}
