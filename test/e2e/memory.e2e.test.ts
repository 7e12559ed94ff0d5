import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildLog } from '../../bench/audit.js';
import { measuredInChild } from '../../bench/memory.js';
import { SqliteEventStore } from '../../src/eventstore/sqlite.js';

/** The bench's child mode, built (`npm test` builds first): it starts the service on a file and measures. */
const MEASURE = new URL('../../dist/bench/memory.js', import.meta.url).pathname;

/*
 * Memory depends on the live rules, not on the length of history: the same 510 rules behind 5,000 and
 * 30,000 events. Before the audit trail was read from the store, the heap after a forced GC grew by about
 * 0.75 KB an event (about 19 MB here); the bound below leaves room for the bounded snapshots and GC noise.
 */
describe('memory after a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bounce-patterns-memory-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function restartedOn(events: number) {
    const path = join(dir, `events-${events}.sqlite`);
    const store = new SqliteEventStore(path);
    await buildLog(store, events);
    await store.close();
    return measuredInChild(path, events, MEASURE);
  }

  it('holds about the same heap at 30,000 events as at 5,000, the same live rules', { timeout: 180_000 }, async () => {
    const short = await restartedOn(5_000);
    const long = await restartedOn(30_000);
    console.log(
      `heap after GC: ${short.heapMb.toFixed(1)} MB at 5,000 events, ${long.heapMb.toFixed(1)} MB at 30,000; ` +
        `RSS ${short.rssMb.toFixed(0)} and ${long.rssMb.toFixed(0)} MB`,
    );
    expect(long.heapMb - short.heapMb).toBeLessThan(8);
  });
});
