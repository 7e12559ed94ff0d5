import { ValidationError } from '../domain/errors.js';
import { STREAM_PREFIXES } from '../domain/streams.js';
import { recorded, type EventStore, type LogFilter } from '../eventstore/port.js';
import type { ProjectionRunner } from './projectionRunner.js';
import { ReadModel } from './readModel.js';

/** A moment of the log: a time (the last event that occurred by then) or a position; exactly one. */
export interface AsOf {
  readonly at?: Date | null;
  readonly position?: bigint | null;
}

/** The events of the audit trail: the aggregates' streams, not the reservations' claims. */
export const AUDITED: LogFilter = { streamPrefixes: STREAM_PREFIXES };

/** A time as the stores compare it, the text of `toISOString()`: past year 9999 that text would sort first. */
export const storedTime = (at: Date): string =>
  at.getUTCFullYear() > 9999 ? '9999-12-31T23:59:59.999Z' : at.toISOString();

/**
 * Built models kept; each holds its rows and, once asked for, its compiled matcher (the larger part:
 * a few MB of RE2 programs for 500 patterns).
 */
const CACHE_SIZE = 4;
/** Models being built at once; further questions wait, so a request of many moments holds few at a time. */
const CONCURRENT_BUILDS = 2;

/**
 * The read model as it stood at a past moment, rebuilt from the log.
 *
 * Two layers keep repeated questions cheap. The runner's snapshots (see History) bound the replay of
 * a cold question to one stretch of the log, wherever the moment lies. On top, an LRU cache of built
 * models keyed by position: the matcher is the expensive part (every pattern compiled to RE2 again),
 * and questions come in runs about the same moment (an auditor paging, classify asOf over a batch of
 * replies). Concurrent questions about one position share one build, as the cache holds promises.
 * Cached models are read, never applied to. Memory: at most CACHE_SIZE + CONCURRENT_BUILDS models of
 * the rules, however many moments are asked about.
 */
export class TimeTravel {
  readonly #cache = new Map<bigint, Promise<ReadModel>>();
  #building = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
  ) {}

  /** The position a moment stands for; null: before the first event. */
  async positionOf(asOf: AsOf): Promise<bigint | null> {
    const { at, position } = asOf;
    if ((at == null) === (position == null)) throw new ValidationError('asOf', 'give exactly one of at and position');
    if (at != null) {
      if (Number.isNaN(at.getTime())) throw new ValidationError('asOf.at', 'is not a valid time');
      return this.store.positionAt(storedTime(at), AUDITED);
    }
    const head = this.runner.checkpoint ?? 0n;
    if (position! > head) throw new ValidationError('asOf.position', `is after the last event of the log (${head})`);
    return position === 0n ? null : position!;
  }

  async modelAt(asOf: AsOf): Promise<ReadModel> {
    const position = await this.positionOf(asOf);
    const key = position ?? 0n;
    let model = this.#cache.get(key);
    if (model) {
      this.#cache.delete(key);
    } else {
      model = this.#inTurn(() => this.#build(position));
      model.catch(() => this.#cache.delete(key));
      if (this.#cache.size >= CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    }
    this.#cache.set(key, model);
    return model;
  }

  async #inTurn(build: () => Promise<ReadModel>): Promise<ReadModel> {
    while (this.#building >= CONCURRENT_BUILDS) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#building += 1;
    try {
      return await build();
    } finally {
      this.#building -= 1;
      this.#waiting.shift()?.();
    }
  }

  async #build(position: bigint | null): Promise<ReadModel> {
    if (position === null) return new ReadModel();
    const model = this.runner.history.snapshotAt(position)?.clone() ?? new ReadModel();
    model.reuseCompiled(this.runner.matcher);
    if (model.position === position) return model;
    for await (const event of this.store.readAll({ after: model.position })) {
      if (event.position > position) break;
      model.apply(recorded(event));
    }
    return model;
  }
}
