import { describe, expect, it } from 'vitest';
import { ProjectionRunner } from '../../../src/app/projectionRunner.js';
import { MemoryEventStore } from '../../../src/eventstore/memory.js';
import { pollingSubscription } from '../../../src/eventstore/pollingSubscription.js';
import type { EventStore, SubscriptionHandler } from '../../../src/eventstore/port.js';

/** A memory store whose followers cannot read while `stalled` (as a replica cut off from its log would be). */
function stallableStore(): { store: EventStore; stall(stalled: boolean): void } {
  const inner = new MemoryEventStore();
  let stalled = false;
  const store: EventStore = {
    append: (...args) => inner.append(...args),
    readStream: (id) => inner.readStream(id),
    readAll: (options) => inner.readAll(options),
    headPosition: () => inner.headPosition(),
    readLog: (filter, range) => inner.readLog(filter, range),
    countLog: (filter) => inner.countLog(filter),
    positionAt: (at, filter) => inner.positionAt(at, filter),
    close: () => inner.close(),
    subscribeAll: (after, handler: SubscriptionHandler) =>
      pollingSubscription(
        after,
        handler,
        async (from) => {
          if (stalled) return null;
          const events = [];
          for await (const event of inner.readAll({ after: from, maxCount: 100 })) events.push(event);
          return events;
        },
        () => () => undefined,
        10,
      ),
  };
  return { store, stall: (value) => (stalled = value) };
}

describe('how recently a replica read its log', () => {
  it('is fresh while reads find the log, refused once they stopped for longer than the bound, fresh again after', async () => {
    const { store, stall } = stallableStore();
    const runner = new ProjectionRunner(store);
    await runner.start();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await runner.freshWithin(200)).toBe(true);

    stall(true);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const since = performance.now();
    expect(await runner.freshWithin(200)).toBe(false);
    expect(performance.now() - since).toBeGreaterThanOrEqual(190);

    stall(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await runner.freshWithin(200)).toBe(true);
    await runner.stop();
  });
});
