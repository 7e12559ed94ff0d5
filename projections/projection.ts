import type { DomainEvent, RecordedEvent } from '../src/domain/events.js';

/**
 * A read model kept as rows, one row per stream: `evolve` is a pure fold of one row over the
 * events of its stream that the projection handles. The runner in src/app owns the rows, the
 * subscription and the checkpoint; the registry (index.ts) lists every projection it folds.
 */
export interface RowProjection<Row> {
  readonly name: string;
  /** The event types this projection folds; it never sees any other. */
  readonly canHandle: readonly DomainEvent['type'][];
  /** Whether the compiled matcher reads these rows, so a change must rebuild it. */
  readonly feedsMatcher: boolean;
  evolve(row: Row | null, event: RecordedEvent): Row | null;
}

/** When and by whom a row was created and last changed. */
export interface Stamped {
  readonly version: number;
  readonly createdAt: string;
  readonly createdBy: RecordedEvent['metadata']['actor'];
  readonly updatedAt: string;
  readonly updatedBy: RecordedEvent['metadata']['actor'];
  /** Log position of the row's first event. */
  readonly createdPosition: bigint;
}

export const created = (event: RecordedEvent): Stamped => ({
  version: event.version,
  createdAt: event.metadata.occurredAt,
  createdBy: event.metadata.actor,
  updatedAt: event.metadata.occurredAt,
  updatedBy: event.metadata.actor,
  createdPosition: event.position,
});

export const touched = <R extends Stamped>(row: R, event: RecordedEvent): R => ({
  ...row,
  version: event.version,
  updatedAt: event.metadata.occurredAt,
  updatedBy: event.metadata.actor,
});
