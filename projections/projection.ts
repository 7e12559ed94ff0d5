import type { RecordedEvent } from '../src/domain/events.js';

/**
 * A read model kept as rows, one row per aggregate: `evolve` is a pure fold of one row over the
 * events of its stream. The runner in src/app owns the rows, the subscription and the checkpoint.
 */
export interface RowProjection<Row> {
  readonly name: string;
  /** The row an event belongs to, or null when this projection does not care about the event. */
  rowKey(event: RecordedEvent): string | null;
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
