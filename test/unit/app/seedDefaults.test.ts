import { describe, expect, it } from 'vitest';
import { App } from '../../../src/app/app.js';
import { seedDefaults } from '../../../src/app/seedDefaults.js';
import { DEFAULT_BOUNCE_PATTERNS } from '../../../src/domain/defaults/bouncePatterns.js';
import { DEFAULT_ISPS } from '../../../src/domain/defaults/isps.js';
import { ANONYMOUS_ACTOR } from '../../../src/domain/types.js';
import { MemoryEventStore } from '../../../src/eventstore/memory.js';

async function eventCount(store: MemoryEventStore): Promise<number> {
  let n = 0;
  for await (const _ of store.readAll()) n++;
  return n;
}

describe('installing the shipped defaults', () => {
  it('installs each default once, by system, as DEFAULT; a later release installs only what is new', async () => {
    const store = new MemoryEventStore();
    const app = new App(store, { seed: false });
    await app.start();
    const firstRelease = { isps: DEFAULT_ISPS, patterns: DEFAULT_BOUNCE_PATTERNS.slice(0, 10) };
    expect(await seedDefaults(app.runner, app.isps, app.bouncePatterns, firstRelease)).toBe(DEFAULT_ISPS.length + 10);
    const pattern = app.bouncePatterns.get(DEFAULT_BOUNCE_PATTERNS[0]!.id)!;
    expect(pattern).toMatchObject({ origin: 'DEFAULT', createdBy: { id: 'system', kind: 'system' } });

    // The operator edits and disables a default; a restart of the same release changes nothing.
    await app.bouncePatterns.edit(pattern.id, 1, { enabled: false, priority: 1 }, { actor: ANONYMOUS_ACTOR });
    const before = await eventCount(store);
    expect(await seedDefaults(app.runner, app.isps, app.bouncePatterns, firstRelease)).toBe(0);
    expect(await eventCount(store)).toBe(before);

    // The next release ships more patterns: only those are installed, the edit stays.
    const installed = await seedDefaults(app.runner, app.isps, app.bouncePatterns, {
      isps: DEFAULT_ISPS,
      patterns: DEFAULT_BOUNCE_PATTERNS,
    });
    expect(installed).toBe(DEFAULT_BOUNCE_PATTERNS.length - 10);
    expect(app.bouncePatterns.get(pattern.id)).toMatchObject({ enabled: false, priority: 1, version: 2 });
    expect(app.bouncePatterns.list({ origin: 'DEFAULT' }, undefined, { first: 500 }).totalCount).toBe(
      DEFAULT_BOUNCE_PATTERNS.length,
    );
    await app.stop();
  });
});
