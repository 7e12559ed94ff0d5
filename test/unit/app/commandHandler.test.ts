import { describe, expect, it } from 'vitest';
import { App } from '../../../src/app/app.js';
import { ANONYMOUS_ACTOR } from '../../../src/domain/types.js';
import { MemoryEventStore } from '../../../src/eventstore/memory.js';
import { StoreUnavailable, type SubscriptionHandler } from '../../../src/eventstore/port.js';

/** A store with a server that goes down right after an append: its events cannot be read back until it returns. */
class StoreThatGoesDown extends MemoryEventStore {
  goDownAfterNextAppend = false;
  #down = false;
  #back: () => void = () => {};
  #backAgain = Promise.resolve();

  override async append(...args: Parameters<MemoryEventStore['append']>) {
    const result = await super.append(...args);
    if (this.goDownAfterNextAppend) {
      this.goDownAfterNextAppend = false;
      this.#down = true;
      this.#backAgain = new Promise((resolve) => (this.#back = resolve));
    }
    return result;
  }

  isReachable(): boolean {
    return !this.#down;
  }

  comeBack(): void {
    this.#down = false;
    this.#back();
  }

  override subscribeAll(after: bigint | null, handler: SubscriptionHandler) {
    return super.subscribeAll(after, {
      ...handler,
      onEvents: async (events) => {
        if (this.#down) await this.#backAgain;
        await handler.onEvents(events);
      },
    });
  }
}

const fields = {
  name: 'written as the store went down',
  type: 'HARD_BOUNCE' as const,
  ispId: null,
  pattern: 'went down',
  message: 'm',
  priority: 0,
  enabled: true,
};

describe('a command whose events the store cannot give back', () => {
  it('is answered STORE_UNAVAILABLE instead of waiting for the store, and its retry gets the first outcome once it is back', async () => {
    const store = new StoreThatGoesDown();
    const app = new App(store, { seed: false });
    await app.start();
    const context = { actor: ANONYMOUS_ACTOR, commandId: 'written-once' };

    store.goDownAfterNextAppend = true;
    await expect(app.bouncePatterns.create(fields, context)).rejects.toBeInstanceOf(StoreUnavailable);

    store.comeBack();
    const retry = await app.bouncePatterns.create(fields, context);
    expect(retry.retried).toBe(true);
    expect(retry.row).toMatchObject({ name: fields.name, version: 1 });
    expect(await store.countLog({ types: ['BouncePatternCreated'] })).toBe(1);
    await app.stop();
  });
});
