import { sign, verify, type KeyObject } from 'node:crypto';
import type { EventMetadata } from '../domain/events.js';
import { type EventStore, type EventToAppend, type StoredEvent, withAppend } from './port.js';

/** What an event's signature covers: all it says, less where it landed (the chain and checkpoints cover that). */
const signedBytes = (streamId: string, event: { eventId: string; type: string; data: unknown; metadata: object }) => {
  const { signature: _signature, ...metadata } = event.metadata as EventMetadata & { signature?: string };
  return Buffer.from(JSON.stringify([event.eventId, streamId, event.type, event.data, metadata]));
};

/** Whether the event carries a valid Ed25519 signature by the key's holder. */
export function hasValidSignature(event: StoredEvent, key: KeyObject): boolean {
  const signature = (event.metadata as EventMetadata & { signature?: unknown }).signature;
  return (
    typeof signature === 'string' &&
    verify(null, signedBytes(event.streamId, event), key, Buffer.from(signature, 'base64'))
  );
}

/**
 * Signs every event it appends (in its metadata) with a key the log never holds, so an event written
 * behind the service's back (a forged token) is told apart from the service's own.
 */
export function signingStore(store: EventStore, key: KeyObject): EventStore {
  const signed = (streamId: string, events: readonly EventToAppend[]): EventToAppend[] =>
    events.map((event) => ({
      ...event,
      metadata: { ...event.metadata, signature: sign(null, signedBytes(streamId, event), key).toString('base64') },
    }));
  return withAppend(store, (streamId, events, expected) => store.append(streamId, signed(streamId, events), expected));
}
