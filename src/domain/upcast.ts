import { EVENT_SCHEMA_VERSION, type EventMetadata } from './events.js';

/** An event as stored: its shape is that of the schema version in its metadata. */
export interface VersionedEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

/** One step: an event of schema version N (the key) in the shape of version N + 1. */
export type Upcaster = <E extends VersionedEvent>(event: E) => E;

export const UPCASTERS: Readonly<Record<number, Upcaster>> = {
  // Version 1 knew no command digest: such an event matches any retry of its command id.
  1: (event) => ({ ...event, metadata: { ...event.metadata, commandHash: null, schemaVersion: 2 } }),
};

/**
 * Brings a stored event to the current schema, one version at a time, wherever stored events
 * become domain events (projections, command handling, time travel, exports). The log itself is
 * never rewritten: its hash chain covers the events as they were written.
 */
export function upcast<E extends VersionedEvent>(
  event: E,
  upcasters: Readonly<Record<number, Upcaster>> = UPCASTERS,
): E {
  let current = event;
  while (current.metadata.schemaVersion < EVENT_SCHEMA_VERSION) {
    const step = upcasters[current.metadata.schemaVersion];
    if (!step) throw new Error(`no upcaster from event schema version ${current.metadata.schemaVersion}`);
    current = step(current);
  }
  if (current.metadata.schemaVersion > EVENT_SCHEMA_VERSION)
    throw new Error(
      `event ${current.type} has schema version ${current.metadata.schemaVersion}, newer than this release knows (${EVENT_SCHEMA_VERSION})`,
    );
  return current;
}
