import { createHash } from 'node:crypto';
import type { EventMetadata } from '../domain/events.js';

interface Hashed {
  eventId: string;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

/**
 * The prefix of a hash of the second form, which covers the event's log position. A stored hash without
 * it is of the first form (events written before positions were covered): each stored hash says which
 * form recomputes it, so logs written before keep verifying.
 */
export const CHAIN_V2 = 'v2:';

/**
 * Tamper evidence: each event's hash covers its log position, identity, type, data and metadata and the
 * hash of the event before it, so changing, removing or renumbering a stored event breaks the chain.
 */
export function chainHash(previousHash: string | null, event: Hashed & { position: bigint }): string {
  const digest = createHash('sha256')
    // A separator of its own: no event's first-form input hashes to the same bytes.
    .update('bounce-patterns chain v2\u0000')
    .update(previousHash ?? '')
    .update('\u0000')
    .update(
      JSON.stringify([
        String(event.position),
        event.eventId,
        event.streamId,
        event.version,
        event.type,
        event.data,
        event.metadata,
      ]),
    )
    .digest('hex');
  return `${CHAIN_V2}${digest}`;
}

/**
 * The first form, without the position: what logs written before hold, and what the EventStoreDB store
 * folds when it reads (its commit positions are the server's own, and its anchors were written so).
 */
export function chainHashV1(previousHash: string | null, event: Hashed): string {
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

/** Why the event's stored hash does not follow from it and the previous stored hash; null when it does. */
function brokenLink(
  previousHash: string | null,
  event: Hashed & { position: bigint },
  hash: string,
  first: boolean,
): string | null {
  const second = hash.startsWith(CHAIN_V2);
  // The service never writes the first form after the second: a first-form hash there was put in its place
  // to drop the position from what is covered (a downgrade), so the event is not trusted.
  if (!second && previousHash?.startsWith(CHAIN_V2))
    return 'the hash is of the first form (without the position) after one of the second: it was downgraded to hide a change';
  if ((second ? chainHash(previousHash, event) : chainHashV1(previousHash, event)) === hash) return null;
  const moved = second ? ' or renumbered' : '';
  return first
    ? `the hash does not match the event: it was altered${moved}, or events before it were removed`
    : `the hash does not match the event and the previous hash: it was altered${moved}, or the event before it was removed or re-hashed`;
}

/**
 * Recomputes the chain over the whole log, one event at a time as the store streams it. Each event
 * is checked against the previous *stored* hash, so one altered event is reported alone rather than
 * with every event after it.
 */
export async function verifyChain(
  events: AsyncIterable<Hashed & { position: bigint; hash: string | null }>,
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
    const reason = brokenLink(previousHash, event, event.hash, eventsChecked === 1 && from === null);
    if (reason !== null) {
      mismatches += 1;
      firstMismatch ??= { position: event.position, eventId: event.eventId, streamId: event.streamId, reason };
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
