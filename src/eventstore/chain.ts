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
