import type { EventStore, StoreSubscription, StoredEvent } from '../eventstore/port.js';
import type { Matcher } from '../../projections/matcher.js';
import { History } from './history.js';
import { ReadModel } from './readModel.js';

type Waiter = { position: bigint; resolve: () => void };

/**
 * Feeds the projections from the store: catches up from the start of the log, then follows it.
 * The checkpoint is the position of the last event applied; readers can wait for a position to
 * see their own writes. The matcher is compiled after each batch and swapped in whole, so
 * `classify` always reads one complete rule set.
 */
export class ProjectionRunner {
  readonly model = new ReadModel();
  /** The audit entries and read-model snapshots, for auditors and time travel. */
  readonly history = new History();
  private current: Matcher | undefined;
  private subscription: StoreSubscription | undefined;
  private waiters: Waiter[] = [];
  private failure: unknown;
  /** Until the first catch-up is done, the matcher is not compiled after every batch. */
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
      onError: (error) => {
        this.failure = error;
        console.error('projection runner stopped:', error);
      },
    });
    if (head !== null) await this.waitFor(head);
    this.caughtUp = true;
    this.current = this.model.matcher;
  }

  /** Resolves once the projections include the event at `position`. */
  waitFor(position: bigint | null): Promise<void> {
    if (position === null || (this.checkpoint !== null && this.checkpoint >= position)) return Promise.resolve();
    if (this.failure !== undefined) return Promise.reject(new Error('projections are not following the log'));
    return new Promise((resolve) => this.waiters.push({ position, resolve }));
  }

  get healthy(): boolean {
    return this.failure === undefined && this.subscription !== undefined;
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  private apply(events: readonly StoredEvent[]): void {
    for (const event of events) {
      this.model.apply(event);
      this.history.record(event, this.model);
    }
    if (this.caughtUp) this.current = this.model.matcher;
    const reached = this.checkpoint!;
    const ready = this.waiters.filter((w) => w.position <= reached);
    this.waiters = this.waiters.filter((w) => w.position > reached);
    for (const waiter of ready) waiter.resolve();
  }
}
