import type { RecordedEvent } from '../domain/events.js';
import { isReservationStream } from '../domain/streams.js';
import { auditEntryOf, type AuditEntry } from '../../projections/auditLog.js';
import type { ReadModel } from './readModel.js';

/** Events between two snapshots of the read model, at least. */
export const SNAPSHOT_EVERY = 1_000;

/**
 * What the projection runner keeps of the past: the audit entry of every event (append-only) and
 * snapshots of the read model along the way, from which time travel replays only the last stretch.
 *
 * A snapshot is taken once max(SNAPSHOT_EVERY, rows in the model) events have passed since the last
 * one. Rows are immutable and shared between clones, so a snapshot costs a map entry per row; tying
 * the interval to the row count keeps all snapshots together within one entry per event of the log,
 * while a replay never covers more events than rebuilding the matcher of that model costs anyway.
 */
export class History {
  readonly #entries: AuditEntry[] = [];
  readonly #byStream = new Map<string, AuditEntry[]>();
  readonly #snapshots: ReadModel[] = [];
  /** The stream each command id wrote to first: an idempotency key belongs to one object. */
  readonly #streamByCommand = new Map<string, string>();
  #sinceSnapshot = 0;

  /** Called by the runner after `model` applied `event`. */
  record(event: RecordedEvent, model: ReadModel): void {
    // Claims on reservation streams are bookkeeping of the commands that made them, not changes to rules.
    if (isReservationStream(event.streamId)) return;
    const entry = auditEntryOf(event);
    this.#entries.push(entry);
    const stream = this.#byStream.get(entry.streamId);
    if (stream) stream.push(entry);
    else this.#byStream.set(entry.streamId, [entry]);
    if (!this.#streamByCommand.has(entry.commandId)) this.#streamByCommand.set(entry.commandId, entry.streamId);
    if (++this.#sinceSnapshot >= Math.max(SNAPSHOT_EVERY, model.rowCount)) {
      this.#snapshots.push(model.clone());
      this.#sinceSnapshot = 0;
    }
  }

  /** Every entry, oldest first. */
  get entries(): readonly AuditEntry[] {
    return this.#entries;
  }

  /** The entries of one stream, oldest first. */
  ofStream(streamId: string): readonly AuditEntry[] {
    return this.#byStream.get(streamId) ?? [];
  }

  /** The stream a command id wrote to, if it wrote anything. */
  streamOfCommand(commandId: string): string | undefined {
    return this.#streamByCommand.get(commandId);
  }

  /** Position of the last event that occurred at or before `at`; null: none did. */
  positionAt(at: Date): bigint | null {
    // Events are stamped when their command runs, so times follow positions (give or take the
    // milliseconds of concurrent commands): binary search for the first event after `at`.
    const atMs = at.getTime();
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (Date.parse(this.#entries[middle]!.occurredAt) <= atMs) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? null : this.#entries[low - 1]!.position;
  }

  /** The latest snapshot at or before `position`; undefined: replay from the start. */
  snapshotAt(position: bigint): ReadModel | undefined {
    let low = 0;
    let high = this.#snapshots.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.#snapshots[middle]!.position! <= position) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? undefined : this.#snapshots[low - 1];
  }
}
