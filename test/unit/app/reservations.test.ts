import { describe, expect, it } from 'vitest';
import { App } from '../../../src/app/app.js';
import { EVENT_SCHEMA_VERSION } from '../../../src/domain/events.js';
import { RESERVATION_GRACE_MS } from '../../../src/domain/reservations.js';
import { ispDomainStream } from '../../../src/domain/streams.js';
import type { Actor } from '../../../src/domain/types.js';
import { MemoryEventStore } from '../../../src/eventstore/memory.js';

const actor: Actor = { id: 'user-1', name: 'Ada Admin', kind: 'user' };

/** A claim left by a command that died before appending its ISP, `ageMs` ago. */
async function orphanClaim(store: MemoryEventStore, domain: string, ageMs: number) {
  const occurredAt = new Date(Date.now() - ageMs).toISOString();
  const metadata = {
    actor,
    occurredAt,
    commandId: 'died',
    commandHash: null,
    correlationId: 'died',
    causationId: null,
    reason: null,
    schemaVersion: EVENT_SCHEMA_VERSION,
  };
  const data = { domain, ispId: 'never-created' };
  await store.append(ispDomainStream(domain), [{ eventId: 'e1', type: 'IspDomainReserved', data, metadata }], 0);
}

async function started(store: MemoryEventStore): Promise<App> {
  const app = new App(store, { seed: false, bootstrapAdminToken: 'bp_unit_admin_0123456789abcdef0123' });
  await app.start();
  return app;
}

describe('reservation claims', () => {
  it('a fresh claim of a command still running holds the domain; one older than the grace period is taken over', async () => {
    const store = new MemoryEventStore();
    await orphanClaim(store, 'fresh.example', 1_000);
    await orphanClaim(store, 'stale.example', RESERVATION_GRACE_MS + 1_000);
    const app = await started(store);
    await expect(app.isps.create({ name: 'Fresh', domains: ['fresh.example'] }, { actor })).rejects.toThrow(
      /fresh\.example is being given to ISP never-created/,
    );
    const stale = await app.isps.create({ name: 'Stale', domains: ['stale.example'] }, { actor });
    expect(stale.row.domains).toEqual(['stale.example']);
    await app.stop();
  });

  it('a command refused on one domain gives back the others it had claimed', async () => {
    const app = await started(new MemoryEventStore());
    await orphanClaim(app.store as MemoryEventStore, 'b.example', 1_000);
    await expect(app.isps.create({ name: 'Both', domains: ['a.example', 'b.example'] }, { actor })).rejects.toThrow();
    const other = await app.isps.create({ name: 'Only a', domains: ['a.example'] }, { actor });
    expect(other.row.domains).toEqual(['a.example']);
    await app.stop();
  });

  it('a deleted ISP gives its domains up; the claims stay out of the audit trail', async () => {
    const app = await started(new MemoryEventStore());
    const isp = await app.isps.create({ name: 'Gone', domains: ['gone.example'] }, { actor });
    await app.isps.delete(isp.row.id, 1, { actor });
    const next = await app.isps.create({ name: 'Next', domains: ['gone.example'] }, { actor });
    expect(next.row.domains).toEqual(['gone.example']);
    const trail = await app.audit.log({}, { first: 500, order: 'OLDEST_FIRST' });
    const types = trail.nodes.map((entry) => entry.eventType);
    expect(types).not.toContain('IspDomainReserved');
    expect(types.filter((type) => type.startsWith('Isp'))).toEqual(['IspCreated', 'IspDeleted', 'IspCreated']);
    await app.stop();
  });
});
