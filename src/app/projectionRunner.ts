import type { RecordedEvent } from '../domain/events.js';
import { recorded, type EventStore, type StoreSubscription, type StoredEvent } from '../eventstore/port.js';
import type { Matcher } from '../../projections/matcher.js';
import { History } from './history.js';
import { ReadModel } from './readModel.js';

type Waiter = { position: bigint; resolve: () => void };

/** What listeners hear once the lists and `classify` include a batch of events. */
export interface AppliedEvents {
  readonly events: readonly RecordedEvent[];
  /** The position the read model now serves. */
  readonly position: bigint;
  /** Whether the batch changed the rules `classify` answers with (and so `rulesetVersion`). */
  readonly rulesChanged: boolean;
}

export type AppliedListener = (applied: AppliedEvents) => void;

/** How long a matcher rebuild may hold the event loop before it lets `classify` calls through. */
const REBUILD_SLICE_MS = 4;

/**
 * Feeds the projections from the store: catches up from the start of the log, then follows it.
 * The checkpoint is the position of the last event applied; readers can wait for a position to
 * see their own writes, in the lists and in `classify`.
 *
 * When rules change, the next matcher is built in slices of a few milliseconds while the previous one
 * keeps answering `classify`, and is swapped in whole: `classify` neither waits for a rebuild nor
 * sees half a rule set.
 */
export class ProjectionRunner {
  readonly model = new ReadModel();
  /** Snapshots of the read model along the log, for time travel (a bounded number). */
  readonly history = new History();
  private current: Matcher | undefined;
  /** Position up to which the lists and the matcher both include every event. */
  private served: bigint | null = null;
  private rebuilding: Promise<void> | undefined;
  private subscription: StoreSubscription | undefined;
  private waiters: Waiter[] = [];
  private readonly listeners = new Set<AppliedListener>();
  /** Applied events that listeners have not heard of yet: they hear once the events are served. */
  private unpublished: RecordedEvent[] = [];
  private servedRulesetVersion: bigint | null = null;
  private failure: unknown;
  /** How long the last matcher rebuild took, from its first slice to the swap (for /metrics). */
  lastRebuildMs: number | null = null;
  /** When the last read that found nothing new began (Date.now()); null until one did, or when the store cannot tell. */
  private caughtUpAt: number | null = null;
  private freshWaiters: (() => void)[] = [];
  /** Until the first catch-up is done, no matcher is built after each batch. */
  private caughtUp = false;

  constructor(private readonly store: EventStore) {}

  get checkpoint(): bigint | null {
    return this.model.position;
  }

  get matcher(): Matcher {
    this.current ??= this.model.matcher;
    return this.current;
  }

  /** Resolves once every event already in the log has been applied. */
  async start(): Promise<void> {
    const head = await this.store.headPosition();
    this.subscription = this.store.subscribeAll(null, {
      onEvents: (events) => this.apply(events),
      onError: (error) => this.fail(error),
      onCaughtUp: (readStartedAt) => this.noteCaughtUp(readStartedAt),
    });
    if (head !== null) await this.waitFor(head);
    this.current = this.model.matcher;
    this.servedRulesetVersion = this.current.rulesetVersion;
    this.caughtUp = true;
  }

  /** Resolves once the lists and `classify` include the event at `position`. */
  waitFor(position: bigint | null): Promise<void> {
    if (position === null || (this.served !== null && this.served >= position)) return Promise.resolve();
    if (this.failure !== undefined) return Promise.reject(new Error('projections are not following the log'));
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  /**
   * The publish seam: `listener` hears every batch of events once the read model serves it, in log
   * order (subscriptions, statistics). Returns the function that removes it.
   */
  onApplied(listener: AppliedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves true once the model holds every event appended up to `boundMs` ago (waiting up to `boundMs`
   * for the next read that finds nothing new), false when it does not: what bounds how long a token
   * revoked through another replica is still accepted here. True at once on stores that cannot tell.
   */
  async freshWithin(boundMs: number): Promise<boolean> {
    const fresh = () => this.caughtUpAt === null || Date.now() - this.caughtUpAt <= boundMs;
    if (fresh()) return true;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, boundMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.freshWaiters.push(done);
    });
    return fresh();
  }

  private noteCaughtUp(readStartedAt: number): void {
    this.caughtUpAt = readStartedAt;
    const waiters = this.freshWaiters;
    this.freshWaiters = [];
    for (const resolve of waiters) resolve();
  }

  get healthy(): boolean {
    return this.failure === undefined && this.subscription !== undefined;
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    await this.rebuilding;
  }

  private apply(events: readonly StoredEvent[]): void {
    for (const stored of events) {
      const event = recorded(stored);
      this.model.apply(event);
      this.history.record(this.model);
      if (this.caughtUp) this.unpublished.push(event);
    }
    if (this.caughtUp && (this.rebuilding !== undefined || !this.model.matcherIsCurrent))
      this.rebuilding ??= this.rebuild();
    else this.serve(this.checkpoint);
  }

  /** Builds matchers until one includes every rule change applied, swapping each in as it is done. */
  private async rebuild(): Promise<void> {
    try {
      for (let job = this.model.matcherRebuild(); job !== null; job = this.model.matcherRebuild()) {
        const position = this.checkpoint;
        const started = performance.now();
        const matcher = await inSlices(job.steps);
        this.lastRebuildMs = performance.now() - started;
        this.model.adoptMatcher(matcher, job.revision);
        this.current = matcher;
        this.serve(position);
      }
      this.serve(this.checkpoint);
    } catch (error) {
      this.fail(error);
    } finally {
      this.rebuilding = undefined;
    }
  }

  private serve(position: bigint | null): void {
    if (position === null || (this.served !== null && this.served >= position)) return;
    this.served = position;
    const ready = this.waiters.filter((w) => w.position <= position);
    this.waiters = this.waiters.filter((w) => w.position > position);
    for (const waiter of ready) waiter.resolve();
    this.publish(position);
  }

  private publish(position: bigint): void {
    const served = this.unpublished.filter((event) => event.position <= position);
    if (served.length === 0) return;
    this.unpublished = this.unpublished.slice(served.length);
    const rulesetVersion = this.matcher.rulesetVersion;
    const applied = { events: served, position, rulesChanged: rulesetVersion !== this.servedRulesetVersion };
    this.servedRulesetVersion = rulesetVersion;
    for (const listener of this.listeners) {
      try {
        listener(applied);
      } catch (error) {
        // A listener's fault is its own: the projections and the other listeners go on.
        console.error('listener of applied events failed:', error);
      }
    }
  }

  private fail(error: unknown): void {
    this.failure = error;
    console.error('projection runner stopped:', error);
  }
}

/** Runs a build's steps a few milliseconds at a time, letting queued requests run in between. */
async function inSlices<T>(steps: Generator<void, T, void>): Promise<T> {
  for (;;) {
    const sliceStarted = performance.now();
    do {
      const step = steps.next();
      if (step.done) return step.value;
    } while (performance.now() - sliceStarted < REBUILD_SLICE_MS);
    await new Promise((resolve) => setImmediate(resolve));
  }
}
