import type { Role } from './access.js';
import type { Actor, BouncePatternFields, IspFields, Origin } from './types.js';

/** Fields that an edit changed, with the values they had before. */
export interface FieldChanges<F> {
  readonly changes: Partial<F>;
  readonly previous: Partial<F>;
}

export type BouncePatternCreated = {
  type: 'BouncePatternCreated';
  data: { patternId: string; origin: Origin } & BouncePatternFields;
};
export type BouncePatternEdited = {
  type: 'BouncePatternEdited';
  /** `release`: the edit takes the default as that release of the service ships it. */
  data: { patternId: string; release?: string } & FieldChanges<BouncePatternFields>;
};
/** An edit that brings a pattern back to the fields it had at an earlier version. */
export type BouncePatternReverted = {
  type: 'BouncePatternReverted';
  data: { patternId: string; toVersion: number } & FieldChanges<BouncePatternFields>;
};
export type BouncePatternDeleted = {
  type: 'BouncePatternDeleted';
  data: { patternId: string };
};
export type BouncePatternRestored = {
  type: 'BouncePatternRestored';
  data: { patternId: string };
};

export type BouncePatternEvent =
  | BouncePatternCreated
  | BouncePatternEdited
  | BouncePatternReverted
  | BouncePatternDeleted
  | BouncePatternRestored;

export type IspCreated = {
  type: 'IspCreated';
  data: { ispId: string; origin: Origin } & IspFields;
};
export type IspEdited = {
  type: 'IspEdited';
  data: { ispId: string } & FieldChanges<IspFields>;
};
export type IspDeleted = {
  type: 'IspDeleted';
  data: { ispId: string };
};

export type IspEvent = IspCreated | IspEdited | IspDeleted;

/** Only a hash of the secret is ever written: the secret itself is shown once, at creation. */
export type ApiTokenCreated = {
  type: 'ApiTokenCreated';
  data: { tokenId: string; name: string; role: Role; secretHash: string };
};
export type ApiTokenRevoked = {
  type: 'ApiTokenRevoked';
  data: { tokenId: string };
};

export type ApiTokenEvent = ApiTokenCreated | ApiTokenRevoked;

export type DomainEvent = BouncePatternEvent | IspEvent | ApiTokenEvent;

/** Version 2 added `commandHash` to the metadata (see upcast.ts for older events). */
export const EVENT_SCHEMA_VERSION = 2;

/** Who, when and why: carried by every event in the log. */
export interface EventMetadata {
  readonly actor: Actor;
  readonly occurredAt: string;
  readonly commandId: string;
  /**
   * A digest of the command that wrote the event, so that an idempotency key sent again with
   * another input is recognised as a different request; null for events written before version 2.
   */
  readonly commandHash: string | null;
  readonly correlationId: string;
  readonly causationId: string | null;
  readonly reason: string | null;
  readonly schemaVersion: number;
}

/** Where an event sits: its stream and version, its place in the whole log, and its metadata. */
export interface EventEnvelope {
  readonly eventId: string;
  readonly streamId: string;
  /** 1 for a stream's first event: the aggregate's version once the event is applied. */
  readonly version: number;
  /** Position in the whole log; strictly increasing, bigint-safe. */
  readonly position: bigint;
  readonly metadata: EventMetadata;
}

/** An event as the log holds it (distributes over unions, so `type` still narrows `data`). */
export type RecordedEvent<E extends { type: string; data: unknown } = DomainEvent> = E extends unknown
  ? E & EventEnvelope
  : never;
