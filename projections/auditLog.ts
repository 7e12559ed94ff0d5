import type { RecordedEvent } from '../src/domain/events.js';
import type { Actor } from '../src/domain/types.js';

/** One field an event set or changed. `before` is null when the event created the aggregate. */
export interface FieldChange {
  readonly field: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** Who did what, when, to which aggregate, and why: one entry per event of the log. */
export interface AuditEntry {
  readonly position: bigint;
  readonly eventId: string;
  readonly occurredAt: string;
  readonly actor: Actor;
  readonly eventType: string;
  readonly streamId: string;
  /** The stream's prefix: `bouncePattern`, `isp`, `apiToken`. */
  readonly aggregateType: string;
  readonly aggregateId: string;
  /** The aggregate's version once the event applied. */
  readonly version: number;
  readonly changes: readonly FieldChange[];
  /** For a revert: the version whose fields were brought back. */
  readonly revertedToVersion: number | null;
  readonly reason: string | null;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly commandId: string;
}

const initialFields = (fields: Record<string, unknown>): FieldChange[] =>
  Object.entries(fields).map(([field, after]) => ({ field, before: null, after }));

/** The fields of an edit (`changes` with their `previous` values) as before/after pairs. */
export const editedFields = ({ changes, previous }: { changes: object; previous: object }): FieldChange[] =>
  Object.entries(changes).map(([field, after]) => ({
    field,
    before: (previous as Record<string, unknown>)[field] ?? null,
    after,
  }));

const flag = (field: string, after: boolean): FieldChange[] => [{ field, before: !after, after }];

function changesOf(event: RecordedEvent): FieldChange[] {
  switch (event.type) {
    case 'BouncePatternCreated': {
      const { patternId: _id, ...fields } = event.data;
      return initialFields(fields);
    }
    case 'IspCreated': {
      const { ispId: _id, ...fields } = event.data;
      return initialFields(fields);
    }
    case 'ApiTokenCreated':
      // Never the secret's hash: the audit trail is read more widely than the token table.
      return initialFields({ name: event.data.name, role: event.data.role });
    case 'BouncePatternEdited':
    case 'BouncePatternReverted':
    case 'IspEdited':
      return editedFields(event.data);
    case 'BouncePatternDeleted':
    case 'IspDeleted':
      return flag('deleted', true);
    case 'BouncePatternRestored':
      return flag('deleted', false);
    case 'ApiTokenRevoked':
      return flag('revoked', true);
    default:
      return [];
  }
}

/** The audit entry of one event: a pure function of the event, so entries are only ever appended. */
export function auditEntryOf(event: RecordedEvent): AuditEntry {
  const dash = event.streamId.indexOf('-');
  const { actor, occurredAt, reason, correlationId, causationId, commandId } = event.metadata;
  return {
    position: event.position,
    eventId: event.eventId,
    occurredAt,
    actor,
    eventType: event.type,
    streamId: event.streamId,
    aggregateType: dash < 0 ? event.streamId : event.streamId.slice(0, dash),
    aggregateId: dash < 0 ? '' : event.streamId.slice(dash + 1),
    version: event.version,
    changes: changesOf(event),
    revertedToVersion: event.type === 'BouncePatternReverted' ? event.data.toVersion : null,
    reason,
    correlationId,
    causationId,
    commandId,
  };
}
