import type { StoredEvent, StoreSubscription, SubscriptionHandler } from './port.js';

/**
 * A catch-up subscription for stores that can be read by position: it reads in batches after its
 * checkpoint and, once caught up, waits for a wake-up (a local append) or the poll interval
 * (appends made by another process on the same store).
 */
export function pollingSubscription(
  after: bigint | null,
  handler: SubscriptionHandler,
  /** The next events; null when they could not be read now (the next poll tries again). */
  readBatch: (after: bigint | null) => Promise<StoredEvent[] | null> | StoredEvent[] | null,
  onAppended: (wake: () => void) => () => void,
  pollIntervalMs: number,
): StoreSubscription {
  let checkpoint = after;
  let stopped = false;
  let wake: (() => void) | null = null;
  // An append that lands while a batch is being read or handled must not be lost until the next poll.
  let appendedMeanwhile = false;
  const unlisten = onAppended(() => {
    if (wake) wake();
    else appendedMeanwhile = true;
  });

  const loop = async (): Promise<void> => {
    while (!stopped) {
      appendedMeanwhile = false;
      const readStartedAt = Date.now();
      const batch = await readBatch(checkpoint);
      if (batch !== null && batch.length > 0) {
        await handler.onEvents(batch);
        checkpoint = batch[batch.length - 1]!.position;
        continue;
      }
      if (batch !== null) handler.onCaughtUp?.(readStartedAt);
      if (appendedMeanwhile) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, pollIntervalMs);
        function done() {
          clearTimeout(timer);
          wake = null;
          resolve();
        }
        wake = done;
      });
    }
  };
  const running = loop().catch((error) => {
    if (!stopped) handler.onError?.(error);
  });

  return {
    async stop() {
      stopped = true;
      unlisten();
      wake?.();
      await running;
    },
  };
}
