import type { BounceType } from './types.js';

/** One masked reply template of the recent sample, with how often it was seen. */
export interface SampledReply {
  /** Identifies the template with its ISP (a hash: the same on every replica). */
  readonly key: string;
  readonly template: string;
  readonly ispId: string | null;
  /** The verdict the reply got when it was last seen. */
  readonly type: BounceType;
  readonly count: number;
  /** Milliseconds since the epoch. */
  readonly lastSeenAt: number;
}

/**
 * A bounded record of recent distinct reply templates: adding one seen again adds to its count and
 * makes it the most recent; past the capacity the least recently seen templates are dropped.
 */
export class RecentSample {
  // A Map keeps insertion order: re-inserting on every sighting keeps it ordered by recency.
  readonly #entries = new Map<string, SampledReply>();

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
  }

  add(entry: SampledReply): void {
    const previous = this.#entries.get(entry.key);
    this.#entries.delete(entry.key);
    this.#entries.set(
      entry.key,
      previous === undefined
        ? entry
        : {
            ...entry,
            count: previous.count + entry.count,
            lastSeenAt: Math.max(previous.lastSeenAt, entry.lastSeenAt),
          },
    );
    if (this.#entries.size > this.capacity) this.#entries.delete(this.#entries.keys().next().value!);
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The entries, least recently seen first. */
  entries(): SampledReply[] {
    return [...this.#entries.values()];
  }
}
