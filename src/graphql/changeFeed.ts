import type { ProjectionRunner } from '../app/projectionRunner.js';
import type { RecordedEvent } from '../domain/events.js';
import { parseStream } from '../domain/streams.js';
import { auditEntryOf, type AuditEntry } from '../../projections/auditLog.js';

/** What subscribers hear, one message per event (and one per change of the rules). */
export type FeedMessage =
  | { readonly topic: 'bouncePatternChanged'; readonly patternId: string; readonly event: RecordedEvent }
  | { readonly topic: 'ispChanged'; readonly ispId: string; readonly event: RecordedEvent }
  | { readonly topic: 'rulesetChanged'; readonly rulesetVersion: bigint }
  | { readonly topic: 'auditEntryAdded'; readonly entry: AuditEntry };

export type Topic = FeedMessage['topic'];
export type MessageOf<T extends Topic> = Extract<FeedMessage, { topic: T }>;

/**
 * The service's changes for GraphQL subscriptions, fed by the projection runner's publish seam: a
 * subscriber hears a change once the lists and `classify` on this replica include it, so an event
 * appended through another replica reaches this replica's subscribers as soon as it applies it.
 *
 * Each subscriber has a queue of its own, bounded: one that does not read (its socket's buffers
 * are full, so nothing is taken from the queue) is cut off once `queueLimit` messages wait, instead
 * of growing the server's memory.
 */
export class ChangeFeed {
  readonly #subscribers = new Set<(message: FeedMessage) => void>();

  constructor(readonly queueLimit = 1_000) {}

  /** Publishes what the runner applies, until the returned function is called. */
  follow(runner: ProjectionRunner): () => void {
    return runner.onApplied(({ events, rulesChanged }) => {
      // Nobody listening: no message (nor audit entry) is built for each event.
      if (this.#subscribers.size === 0) return;
      for (const event of events) {
        const { aggregateType, aggregateId } = parseStream(event.streamId);
        if (aggregateType === 'bouncePattern')
          this.publish({ topic: 'bouncePatternChanged', patternId: aggregateId, event });
        if (aggregateType === 'isp') this.publish({ topic: 'ispChanged', ispId: aggregateId, event });
        this.publish({ topic: 'auditEntryAdded', entry: auditEntryOf(event) });
      }
      const rulesetVersion = runner.matcher.rulesetVersion;
      if (rulesChanged && rulesetVersion !== null) this.publish({ topic: 'rulesetChanged', rulesetVersion });
    });
  }

  publish(message: FeedMessage): void {
    for (const subscriber of this.#subscribers) subscriber(message);
  }

  get subscriberCount(): number {
    return this.#subscribers.size;
  }

  /**
   * The messages of one topic that pass `accept`, as an async iterator with a bounded queue; past
   * the bound the subscription ends and `overflow` says why (the transport closes the connection).
   */
  subscribe<T extends Topic>(
    topic: T,
    accept: (message: MessageOf<T>) => boolean = () => true,
    overflow: (reason: string) => void = () => {},
  ) {
    const queue: MessageOf<T>[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const end = () => {
      done = true;
      this.#subscribers.delete(subscriber);
      queue.length = 0;
      wake?.();
    };
    const subscriber = (message: FeedMessage) => {
      if (message.topic !== topic || !accept(message as MessageOf<T>)) return;
      if (queue.length < this.queueLimit) {
        queue.push(message as MessageOf<T>);
        wake?.();
        return;
      }
      end();
      overflow(`subscriber too slow: ${this.queueLimit} messages waited to be sent; subscribe again to resume`);
    };
    this.#subscribers.add(subscriber);
    const iterator: AsyncIterableIterator<MessageOf<T>> = {
      next: async () => {
        while (!done) {
          const message = queue.shift();
          if (message) return { value: message, done: false };
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
        return { value: undefined, done: true };
      },
      return: async () => {
        end();
        return { value: undefined, done: true };
      },
      throw: async (error: unknown) => {
        end();
        throw error;
      },
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }
}
