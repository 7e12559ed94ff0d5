import { EVENT_SCHEMA_VERSION, type EventMetadata } from '../../src/domain/events.js';

/** The metadata of an event one command wrote, as the service stamps it; `overrides` for what a test varies. */
export function metadataFor(commandId: string, overrides: Partial<EventMetadata> = {}): EventMetadata {
  return {
    actor: { id: 'user-1', name: 'Ada Admin', kind: 'user' },
    occurredAt: new Date().toISOString(),
    commandId,
    commandHash: null,
    correlationId: commandId,
    causationId: null,
    reason: null,
    schemaVersion: EVENT_SCHEMA_VERSION,
    ...overrides,
  };
}
