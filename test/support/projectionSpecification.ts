import { expect } from 'vitest';
import type { DomainEvent, EventMetadata, RecordedEvent } from '../../src/domain/events.js';
import { EVENT_SCHEMA_VERSION } from '../../src/domain/events.js';
import { SYSTEM_ACTOR, type BouncePatternFields } from '../../src/domain/types.js';
import type { RowProjection } from '../../projections/projection.js';

/** Stamps domain events as the log would: stream versions, positions, one minute apart. */
export function inLog(streamId: string, events: readonly DomainEvent[], firstPosition = 1n): RecordedEvent[] {
  return events.map((event, index) => {
    const metadata: EventMetadata = {
      actor: SYSTEM_ACTOR,
      occurredAt: new Date(Date.UTC(2026, 0, 1, 0, index)).toISOString(),
      commandId: `c${index}`,
      commandHash: null,
      correlationId: `c${index}`,
      causationId: null,
      reason: null,
      schemaVersion: EVENT_SCHEMA_VERSION,
    };
    return {
      ...event,
      eventId: `e${index}`,
      streamId,
      version: index + 1,
      position: firstPosition + BigInt(index),
      metadata,
    } as RecordedEvent;
  });
}

/**
 * given(events) / then(row), like Emmett's projection specifications: the events a projection
 * handles are folded as the read model folds them (the ones it does not handle never reach it).
 */
export const ProjectionSpecification = {
  for<Row>(projection: RowProjection<Row>) {
    return (given: readonly RecordedEvent[]) => {
      const fold = () =>
        given
          .filter((event) => projection.canHandle.includes(event.type))
          .reduce<Row | null>((row, event) => projection.evolve(row, event), null);
      return {
        then(expected: Partial<Row> | null) {
          const row = fold();
          if (expected === null) expect(row).toBeNull();
          else expect(row).toMatchObject(expected);
        },
      };
    };
  },
};

/** A custom All-ISPs hard-bounce rule, as tests create it. */
export const SAMPLE_PATTERN_FIELDS: BouncePatternFields = {
  name: 'Acme: user unknown',
  type: 'HARD_BOUNCE',
  ispId: null,
  pattern: 'user unknown',
  message: 'No such user',
  priority: 100,
  enabled: true,
};
