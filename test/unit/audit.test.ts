import { describe, expect, it } from 'vitest';
import { ProjectionRunner } from '../../src/app/projectionRunner.js';
import { ReadModel } from '../../src/app/readModel.js';
import { TimeTravel } from '../../src/app/timeTravel.js';
import {
  EVENT_SCHEMA_VERSION,
  type DomainEvent,
  type EventMetadata,
  type RecordedEvent,
} from '../../src/domain/events.js';
import { SYSTEM_ACTOR } from '../../src/domain/types.js';
import { verifyChain } from '../../src/eventstore/chain.js';
import { MemoryEventStore } from '../../src/eventstore/memory.js';
import { recorded as upcastStored, type StoredEvent } from '../../src/eventstore/port.js';
import { auditEntryOf } from '../../projections/auditLog.js';

const metadata = (occurredAt: string, reason: string | null = null): EventMetadata => ({
  actor: SYSTEM_ACTOR,
  occurredAt,
  commandId: `cmd-${occurredAt}`,
  commandHash: null,
  correlationId: 'corr',
  causationId: null,
  reason,
  schemaVersion: EVENT_SCHEMA_VERSION,
});

const recorded = (event: DomainEvent, streamId: string, version = 1): RecordedEvent =>
  ({
    ...event,
    eventId: 'e1',
    streamId,
    version,
    position: 7n,
    metadata: metadata('2024-01-01T00:00:00.000Z', 'why'),
  }) as RecordedEvent;

const FIELDS = {
  name: 'n',
  type: 'BOUNCE',
  ispId: null,
  pattern: 'p',
  message: 'm',
  priority: 1,
  enabled: true,
} as const;

describe('audit entries (a pure function of each event)', () => {
  it('a creation lists the initial fields; an edit, a revert its changes against the previous values', () => {
    const created = auditEntryOf(
      recorded(
        { type: 'BouncePatternCreated', data: { patternId: 'x', origin: 'CUSTOM', ...FIELDS } },
        'bouncePattern-x',
      ),
    );
    expect(created).toMatchObject({
      position: 7n,
      eventType: 'BouncePatternCreated',
      aggregateType: 'bouncePattern',
      aggregateId: 'x',
      reason: 'why',
      revertedToVersion: null,
    });
    expect(created.changes).toEqual([
      { field: 'origin', before: null, after: 'CUSTOM' },
      ...Object.entries(FIELDS).map(([field, after]) => ({ field, before: null, after })),
    ]);
    const reverted = auditEntryOf(
      recorded(
        {
          type: 'BouncePatternReverted',
          data: { patternId: 'x', toVersion: 1, changes: { priority: 1 }, previous: { priority: 9 } },
        },
        'bouncePattern-x',
        3,
      ),
    );
    expect(reverted).toMatchObject({
      version: 3,
      revertedToVersion: 1,
      changes: [{ field: 'priority', before: 9, after: 1 }],
    });
    const edited = auditEntryOf(
      recorded(
        {
          type: 'IspEdited',
          data: { ispId: 'i', changes: { domains: ['b.example'] }, previous: { domains: ['a.example'] } },
        },
        'isp-i',
        2,
      ),
    );
    expect(edited.changes).toEqual([{ field: 'domains', before: ['a.example'], after: ['b.example'] }]);
  });

  it('deletion and restore read as the deleted flag; a token creation never shows the secret hash', () => {
    expect(
      auditEntryOf(recorded({ type: 'BouncePatternDeleted', data: { patternId: 'x' } }, 'bouncePattern-x')).changes,
    ).toEqual([{ field: 'deleted', before: false, after: true }]);
    expect(
      auditEntryOf(recorded({ type: 'BouncePatternRestored', data: { patternId: 'x' } }, 'bouncePattern-x')).changes,
    ).toEqual([{ field: 'deleted', before: true, after: false }]);
    const token = auditEntryOf(
      recorded(
        { type: 'ApiTokenCreated', data: { tokenId: 't', name: 'ci', role: 'viewer', secretHash: 'abc' } },
        'apiToken-t',
      ),
    );
    expect(token).toMatchObject({
      aggregateType: 'apiToken',
      aggregateId: 't',
      changes: [
        { field: 'name', before: null, after: 'ci' },
        { field: 'role', before: null, after: 'viewer' },
      ],
    });
  });
});

/** A log of `patterns` patterns edited round-robin, one event a minute from 2024-01-01. */
async function editedLog(patterns: number, edits: number): Promise<MemoryEventStore> {
  const store = new MemoryEventStore();
  const minute = (n: number) => new Date(Date.UTC(2024, 0, 1) + n * 60_000).toISOString();
  let n = 0;
  for (let p = 0; p < patterns; p++) {
    const data = { patternId: `p${p}`, origin: 'CUSTOM', ...FIELDS, name: `rule ${p}`, pattern: `marker ${p}` };
    await store.append(
      `bouncePattern-p${p}`,
      [{ eventId: `c${p}`, type: 'BouncePatternCreated', data, metadata: metadata(minute(n++)) }],
      0,
    );
  }
  for (let e = 0; e < edits; e++) {
    const p = e % patterns;
    const version = Math.floor(e / patterns) + 1;
    const data = {
      patternId: `p${p}`,
      changes: { priority: version + 1 },
      previous: { priority: version === 1 ? 1 : version },
    };
    await store.append(
      `bouncePattern-p${p}`,
      [{ eventId: `e${e}`, type: 'BouncePatternEdited', data, metadata: metadata(minute(n++)) }],
      version,
    );
  }
  return store;
}

async function replayTo(store: MemoryEventStore, position: bigint): Promise<ReadModel> {
  const model = new ReadModel();
  for await (const event of store.readAll()) if (event.position <= position) model.apply(upcastStored(event));
  return model;
}

describe('time travel', () => {
  it('answers from a snapshot plus the events after it exactly what a full replay gives', async () => {
    const store = await editedLog(40, 2_460);
    const runner = new ProjectionRunner(store);
    await runner.start();
    const timeTravel = new TimeTravel(store, runner);
    expect(runner.history.snapshotAt(1_500n)?.position).toBe(1_000n);
    expect(runner.history.snapshotAt(999n)).toBeUndefined();
    for (const position of [1n, 40n, 999n, 1_000n, 1_001n, 2_000n, 2_345n, 2_500n]) {
      const model = await timeTravel.modelAt({ position });
      expect(model.position).toBe(position);
      expect(model.patterns()).toEqual((await replayTo(store, position)).patterns());
      expect(model.matcher.rulesetVersion).toBe(position);
    }
    // A snapshot is never changed by the replays built on it.
    expect(runner.history.snapshotAt(1_500n)?.position).toBe(1_000n);
    await runner.stop();
  });

  it('maps a time to the last event that occurred by then', async () => {
    const store = await editedLog(2, 3);
    const runner = new ProjectionRunner(store);
    await runner.start();
    const timeTravel = new TimeTravel(store, runner);
    const positionAt = (at: string) => timeTravel.positionOf({ at: new Date(at) });
    expect(await positionAt('2023-12-31T23:59:59Z')).toBeNull();
    expect(await positionAt('2024-01-01T00:00:00Z')).toBe(1n);
    expect(await positionAt('2024-01-01T00:02:59.999Z')).toBe(3n);
    expect(await positionAt('2030-01-01T00:00:00Z')).toBe(5n);
    await runner.stop();
  });
});

describe('verifyChain', () => {
  const events = async () => {
    const all: StoredEvent[] = [];
    for await (const event of (await editedLog(3, 3)).readAll()) all.push(event);
    return all;
  };
  async function* from(list: StoredEvent[]) {
    yield* list;
  }

  it('passes an intact log and reports its head', async () => {
    const log = await events();
    expect(await verifyChain(from(log))).toEqual({
      ok: true,
      chainKept: true,
      eventsChecked: 6,
      mismatches: 0,
      firstMismatch: null,
      headPosition: 6n,
      headHash: log[5]!.hash,
    });
  });

  it('names the altered event, and only it', async () => {
    const log = await events();
    log[3] = { ...log[3]!, data: { ...(log[3]!.data as object), changes: { priority: 99 } } };
    const result = await verifyChain(from(log));
    expect(result).toMatchObject({
      ok: false,
      mismatches: 1,
      firstMismatch: { position: 4n, eventId: log[3]!.eventId, streamId: log[3]!.streamId },
    });
  });

  it('does not claim ok for a store that keeps no chain', async () => {
    const log = (await events()).map((event) => ({ ...event, hash: null }));
    expect(await verifyChain(from(log))).toMatchObject({ ok: false, chainKept: false, eventsChecked: 0 });
  });
});
