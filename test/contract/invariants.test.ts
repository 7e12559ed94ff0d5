import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../src/app/app.js';
import type { Actor } from '../../src/domain/types.js';
import { MemoryEventStore } from '../../src/eventstore/memory.js';
import type { EventStore } from '../../src/eventstore/port.js';
import { SqliteEventStore } from '../../src/eventstore/sqlite.js';
import { postgresSchemas, postgresSkipReason } from '../support/postgres.js';

const TRIALS = 50;
const actor: Actor = { id: 'user-1', name: 'Ada Admin', kind: 'user' };

let apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.map((app) => app.stop()));
  apps = [];
});

/** Two replicas: each its own projections over its own handle on one log. */
async function replicas(stores: [EventStore, EventStore]): Promise<[App, App]> {
  apps = stores.map(
    (store) => new App(store, { seed: false, bootstrapAdminToken: 'bp_replica_admin_0123456789abcdef' }),
  );
  for (const app of apps) await app.start();
  return apps as [App, App];
}

const settled = (work: Promise<unknown>) =>
  work.then(
    () => true,
    () => false,
  );

/** The races, against the log as the replicas' own projections see it once both caught up. */
function invariantRaces(open: () => Promise<[EventStore, EventStore]>) {
  it(`a domain ends in one ISP only (${TRIALS} races)`, async () => {
    const [a, b] = await replicas(await open());
    for (let i = 0; i < TRIALS; i++) {
      const domain = `race${i}.example`;
      const won = await Promise.all(
        [a, b].map((app, n) => settled(app.isps.create({ name: `race ${i} ${n}`, domains: [domain] }, { actor }))),
      );
      expect(won.filter(Boolean)).toHaveLength(1);
    }
    await b.runner.waitFor(await b.store.headPosition());
    const owners = b.isps.list({ first: 500 }).nodes.flatMap((isp) => isp.domains);
    expect(owners).toHaveLength(TRIALS);
    expect(new Set(owners).size).toBe(TRIALS);
  });

  it(`an ISP in use is never deleted (${TRIALS} races)`, async () => {
    const [a, b] = await replicas(await open());
    for (let i = 0; i < TRIALS; i++) {
      const isp = await a.isps.create({ name: `in use ${i}`, domains: [`inuse${i}.example`] }, { actor });
      await b.runner.waitFor(isp.position);
      const fields = { name: `user ${i}`, type: 'BOUNCE', pattern: `in use ${i}`, message: 'm', priority: 100 };
      const [deleted, created] = await Promise.all([
        settled(a.isps.delete(isp.row.id, 1, { actor })),
        settled(b.bouncePatterns.create({ ...fields, ispId: isp.row.id, enabled: true } as never, { actor })),
      ]);
      expect(deleted !== created).toBe(true);
    }
    await a.runner.waitFor(await a.store.headPosition());
    const liveIsps = new Set(a.isps.list({ first: 500 }).nodes.map((isp) => isp.id));
    const orphans = a.bouncePatterns
      .list({}, undefined, { first: 500 })
      .nodes.filter((pattern) => pattern.ispId !== null && !liveIsps.has(pattern.ispId));
    expect(orphans).toEqual([]);
  });
}

describe('MemoryEventStore', () => {
  invariantRaces(async () => {
    const store = new MemoryEventStore();
    return [store, store];
  });
});

describe('SqliteEventStore: two handles on one file', () => {
  let dir: string | undefined;
  afterEach(() => dir && rmSync(dir, { recursive: true, force: true }));
  invariantRaces(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bp-invariants-'));
    const path = join(dir, 'events.sqlite');
    return [new SqliteEventStore(path, { pollIntervalMs: 20 }), new SqliteEventStore(path, { pollIntervalMs: 20 })];
  });
});

describe.skipIf(postgresSkipReason !== null)(
  `PostgresEventStore: two stores on one schema ${postgresSkipReason ?? ''}`,
  () => {
    const schemas = postgresSchemas();
    invariantRaces(async () => {
      const schema = schemas.name();
      return [await schemas.open({ schema }), await schemas.open({ schema })];
    });
  },
);
