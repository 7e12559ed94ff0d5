import type { ReadModel } from './readModel.js';

/** Events between two snapshots of the read model, at least, while fewer than MAX_SNAPSHOTS are kept. */
export const SNAPSHOT_EVERY = 1_000;

/** Snapshots kept at most: what bounds the memory of history to a number of copies of the live rules. */
export const MAX_SNAPSHOTS = 32;

/**
 * What the projection runner keeps of the past: a bounded number of snapshots of the read model, from
 * which time travel replays only the stretch of the log after one. The audit entries themselves are read
 * from the store, never kept.
 *
 * A snapshot is taken once max(interval, rows in the model) events have passed since the last one; the
 * interval starts at SNAPSHOT_EVERY. Once MAX_SNAPSHOTS are kept, every other one is dropped and the
 * interval doubles, so snapshots stay evenly spread over the whole log and their number never exceeds
 * MAX_SNAPSHOTS. Rows are immutable and shared between clones, so a snapshot costs a map entry per row
 * plus the old versions of rows edited since: all together at most MAX_SNAPSHOTS copies of the rules,
 * whatever the length of the log. A cold as-of question replays at most one interval (the log's length
 * over MAX_SNAPSHOTS / 2 events, once it is long).
 */
export class History {
  readonly #snapshots: ReadModel[] = [];
  #interval = SNAPSHOT_EVERY;
  #sinceSnapshot = 0;

  /** Called by the runner after `model` applied an event. */
  record(model: ReadModel): void {
    const due = () => this.#sinceSnapshot >= Math.max(this.#interval, model.rowCount);
    this.#sinceSnapshot += 1;
    if (!due()) return;
    if (this.#snapshots.length >= MAX_SNAPSHOTS) {
      // Keep the 2nd, 4th, …: they stand twice the interval apart, as the next one will.
      const kept = this.#snapshots.filter((_, index) => index % 2 === 1);
      this.#snapshots.splice(0, this.#snapshots.length, ...kept);
      this.#interval *= 2;
      if (!due()) return;
    }
    this.#sinceSnapshot = 0;
    this.#snapshots.push(model.clone());
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
