import { describe, expect, it } from 'vitest';
import { EVENT_SCHEMA_VERSION } from '../../../src/domain/events.js';
import { upcast } from '../../../src/domain/upcast.js';
import { recorded, type StoredEvent } from '../../../src/eventstore/port.js';
import { ReadModel } from '../../../src/app/readModel.js';

/** An event exactly as release 0.1 wrote it: schema version 1, no command digest. */
const writtenByVersion1: StoredEvent = {
  eventId: 'e1',
  streamId: 'bouncePattern-p1',
  version: 1,
  position: 1n,
  type: 'BouncePatternCreated',
  data: {
    patternId: 'p1',
    origin: 'CUSTOM',
    name: 'Old rule',
    type: 'HARD_BOUNCE',
    ispId: null,
    pattern: 'user unknown',
    message: '',
    priority: 100,
    enabled: true,
  },
  metadata: {
    actor: { id: 'system', name: 'system', kind: 'system' },
    occurredAt: '2026-11-01T00:00:00.000Z',
    commandId: 'seed',
    correlationId: 'seed',
    causationId: null,
    reason: null,
    schemaVersion: 1,
  } as unknown as StoredEvent['metadata'],
  hash: 'h1',
};

describe('upcasting stored events', () => {
  it('brings a version-1 event to the current schema: no command digest, current version', () => {
    const event = recorded(writtenByVersion1);
    expect(event.metadata.schemaVersion).toBe(EVENT_SCHEMA_VERSION);
    expect(event.metadata.commandHash).toBeNull();
    expect(event.data).toEqual(writtenByVersion1.data);
    // The stored event itself is left as written: its hash covers that form.
    expect(writtenByVersion1.metadata.schemaVersion).toBe(1);
  });

  it('feeds the read model with the upcast event', () => {
    const model = new ReadModel();
    model.apply(recorded(writtenByVersion1));
    expect(model.pattern('p1')?.name).toBe('Old rule');
  });

  it('returns an event of the current schema as it is', () => {
    const current = recorded(writtenByVersion1);
    expect(upcast(current)).toBe(current);
  });

  it('refuses an event from a newer release rather than misread it', () => {
    const newer = { ...writtenByVersion1, metadata: { ...writtenByVersion1.metadata, schemaVersion: 99 } };
    expect(() => recorded(newer)).toThrow(/newer than this release/);
  });
});
