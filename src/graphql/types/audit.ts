import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AUDIT_LOG_ORDERS } from '../../app/audit.js';
import { enumOf } from './common.js';
import { asFullPage as complexity } from '../limits.js';
import { PositionScalar } from '../scalars.js';
import { BouncePatternRevision } from './bouncePattern.js';
import { Connection } from './connection.js';
import { IspRevision } from './isp.js';

@ObjectType({ description: 'A field an event set or changed.' })
export class FieldChange {
  @Field({ description: 'The field name, e.g. `priority`.' }) field!: string;
  @Field(() => JSONResolver, { nullable: true, description: 'null when the event created the aggregate.' })
  before!: unknown;
  @Field(() => JSONResolver, { nullable: true, description: 'The value the event set.' }) after!: unknown;
}

@ObjectType({ description: 'One event of the log: who did what, when, to which rule, and why.' })
export class AuditEntry {
  @Field(() => PositionScalar, { description: "The event's place in the whole log." }) position!: bigint;
  @Field(() => ID, { description: 'The event id.' }) eventId!: string;
  @Field(() => DateTimeResolver, { description: 'When the command that wrote the event ran.' }) occurredAt!: string;
  @Field({ description: 'The event type, e.g. BouncePatternEdited.' }) eventType!: string;
  @Field({ description: 'The stream: `<aggregateType>-<aggregateId>`.' }) streamId!: string;
  @Field({ description: 'bouncePattern, isp or apiToken.' }) aggregateType!: string;
  @Field(() => ID, { description: 'The id of the pattern, ISP or token.' }) aggregateId!: string;
  @Field(() => Int, { description: "The aggregate's version once the event applied." }) version!: number;
  @Field(() => [FieldChange], { description: 'Creation: the initial fields; edit and revert: the fields changed.' })
  changes!: readonly FieldChange[];
  @Field(() => Int, { nullable: true, description: 'For a revert: the version whose fields were brought back.' })
  revertedToVersion!: number | null;
  @Field(() => String, { nullable: true, description: 'Why, as the actor said when making the change.' })
  reason!: string | null;
  @Field({ description: 'The request the change came from (the X-Correlation-Id header, or a new id).' })
  correlationId!: string;
  @Field(() => String, { nullable: true, description: 'The event or command that caused this one, if any.' })
  causationId!: string | null;
  @Field({ description: 'The command that wrote the event (scoped idempotency key, or a new id).' })
  commandId!: string;
}

@ObjectType({ description: 'A page of audit entries.' })
export class AuditEntryConnection extends Connection(AuditEntry, 'AuditEntry', 'Entries') {}

@InputType({ description: 'Which audit entries to list; every condition given must hold.' })
export class AuditLogFilter {
  @Field(() => ID, { nullable: true, description: 'Only what this actor (id) did.' }) actor?: string | null;
  @Field(() => ID, { nullable: true, description: 'Only the entries of this bounce pattern.' }) patternId?:
    | string
    | null;
  @Field(() => ID, { nullable: true, description: 'Only the entries of this ISP.' }) ispId?: string | null;
  @Field(() => [String], { nullable: true, description: 'Event types, e.g. BouncePatternEdited.' }) eventTypes?:
    | string[]
    | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Events that occurred at or after this time.' })
  from?: Date | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Events that occurred at or before this time.' })
  to?: Date | null;
}

export const AuditLogOrderEnum = enumOf(AUDIT_LOG_ORDERS);
registerEnumType(AuditLogOrderEnum, {
  name: 'AuditLogOrder',
  description: 'The order of the audit log.',
  valuesConfig: {
    NEWEST_FIRST: { description: 'The last event first.' },
    OLDEST_FIRST: { description: 'Log order.' },
  },
});

@InputType({
  description: 'A past moment: a time (the last event that occurred by then) or a log position. Give exactly one.',
})
export class AsOfInput {
  @Field(() => DateTimeResolver, { nullable: true, description: 'A time: the rules after the last event by then.' })
  at?: Date | null;
  @Field(() => PositionScalar, { nullable: true, description: 'A log position: the rules after that event.' })
  position?: bigint | null;
}

@ObjectType({ description: 'The live bounce patterns at a past moment, in the order classify tried them.' })
export class BouncePatternsAsOf {
  @Field(() => PositionScalar, { nullable: true, description: 'The last event included; null before the first.' })
  position!: bigint | null;
  @Field(() => [BouncePatternRevision], { complexity, description: 'Each pattern as it stood then.' })
  patterns!: BouncePatternRevision[];
}

@ObjectType({ description: 'The ISP directory at a past moment.' })
export class IspsAsOf {
  @Field(() => PositionScalar, { nullable: true, description: 'The last event included; null before the first.' })
  position!: bigint | null;
  @Field(() => [IspRevision], { complexity, description: 'Each ISP as it stood then.' }) isps!: IspRevision[];
}

@ObjectType({ description: 'A pattern live at both moments of a diff, with the fields that differ.' })
export class PatternChange {
  @Field(() => BouncePatternRevision, { description: 'The pattern at the later moment.' })
  pattern!: BouncePatternRevision;
  @Field(() => [FieldChange], { description: 'The fields that differ, with their values at both moments.' })
  changes!: readonly FieldChange[];
}

@ObjectType({ description: 'How the live bounce patterns differ between two moments.' })
export class RulesetDiff {
  @Field(() => PositionScalar, { nullable: true, description: 'The earlier moment, as a log position.' })
  from!: bigint | null;
  @Field(() => PositionScalar, { nullable: true, description: 'The later moment, as a log position.' })
  to!: bigint | null;
  @Field(() => [BouncePatternRevision], { complexity, description: 'Live at `to` and not at `from`, as at `to`.' })
  added!: BouncePatternRevision[];
  @Field(() => [PatternChange], { complexity, description: 'Live at both moments with different fields.' })
  changed!: PatternChange[];
  @Field(() => [BouncePatternRevision], {
    complexity,
    description: 'Deleted (or not yet created) at `to`, as they stood at `from`.',
  })
  removed!: BouncePatternRevision[];
}

@ObjectType({ description: 'The first event whose link in the hash chain does not check out.' })
export class ChainMismatch {
  @Field(() => PositionScalar, { description: 'Where in the log.' }) position!: bigint;
  @Field(() => ID, { description: 'The event id.' }) eventId!: string;
  @Field({ description: 'Its stream.' }) streamId!: string;
  @Field({ description: 'What does not check out.' }) reason!: string;
}

@ObjectType({ description: 'The hash chain recomputed over the whole log.' })
export class AuditTrailVerification {
  @Field({ description: 'true only when the store keeps the chain and every link checks out.' }) ok!: boolean;
  @Field({ description: 'false: this event store (EventStoreDB) keeps no hash chain, so nothing was verified.' })
  chainKept!: boolean;
  @Field(() => Int, { description: 'Events read.' }) eventsChecked!: number;
  @Field(() => Int, { description: 'Events whose link does not check out.' }) mismatches!: number;
  @Field(() => ChainMismatch, { nullable: true, description: 'The first of them; null when intact.' })
  firstMismatch!: ChainMismatch | null;
  @Field(() => PositionScalar, { nullable: true, description: "The last event's position; null for an empty log." })
  headPosition!: bigint | null;
  @Field(() => String, {
    nullable: true,
    description: 'Hash of the last event: keep it outside the service to detect a later truncation or rewrite.',
  })
  headHash!: string | null;
}
