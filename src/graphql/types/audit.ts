import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AUDIT_LOG_ORDERS } from '../../app/audit.js';
import { enumOf } from './common.js';
import { asFullPage as complexity } from '../limits.js';
import { PositionScalar } from '../scalars.js';
import { BouncePattern } from './bouncePattern.js';
import { Connection } from './connection.js';
import { Isp } from './isp.js';

@ObjectType({ description: 'A field an event set or changed.' })
export class FieldChange {
  @Field() field!: string;
  @Field(() => JSONResolver, { nullable: true, description: 'null when the event created the aggregate.' })
  before!: unknown;
  @Field(() => JSONResolver, { nullable: true }) after!: unknown;
}

@ObjectType({ description: 'One event of the log: who did what, when, to which rule, and why.' })
export class AuditEntry {
  @Field(() => PositionScalar) position!: bigint;
  @Field(() => ID) eventId!: string;
  @Field(() => DateTimeResolver) occurredAt!: string;
  @Field({ description: 'The event type, e.g. BouncePatternEdited.' }) eventType!: string;
  @Field() streamId!: string;
  @Field({ description: 'bouncePattern, isp or apiToken.' }) aggregateType!: string;
  @Field(() => ID) aggregateId!: string;
  @Field(() => Int, { description: "The aggregate's version once the event applied." }) version!: number;
  @Field(() => [FieldChange], { description: 'Creation: the initial fields; edit and revert: the fields changed.' })
  changes!: readonly FieldChange[];
  @Field(() => Int, { nullable: true, description: 'For a revert: the version whose fields were brought back.' })
  revertedToVersion!: number | null;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field() correlationId!: string;
  @Field(() => String, { nullable: true }) causationId!: string | null;
  @Field() commandId!: string;
}

@ObjectType()
export class AuditEntryConnection extends Connection(AuditEntry, 'AuditEntry', 'Entries') {}

@InputType()
export class AuditLogFilter {
  @Field(() => ID, { nullable: true, description: 'Only what this actor (id) did.' }) actor?: string | null;
  @Field(() => ID, { nullable: true }) patternId?: string | null;
  @Field(() => ID, { nullable: true }) ispId?: string | null;
  @Field(() => [String], { nullable: true, description: 'Event types, e.g. BouncePatternEdited.' }) eventTypes?:
    | string[]
    | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Events that occurred at or after this time.' })
  from?: Date | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Events that occurred at or before this time.' })
  to?: Date | null;
}

export const AuditLogOrderEnum = enumOf(AUDIT_LOG_ORDERS);
registerEnumType(AuditLogOrderEnum, { name: 'AuditLogOrder' });

@InputType({
  description: 'A past moment: a time (the last event that occurred by then) or a log position. Give exactly one.',
})
export class AsOfInput {
  @Field(() => DateTimeResolver, { nullable: true }) at?: Date | null;
  @Field(() => PositionScalar, { nullable: true }) position?: bigint | null;
}

@ObjectType({ description: 'The live bounce patterns at a past moment, in the order classify tried them.' })
export class BouncePatternsAsOf {
  @Field(() => PositionScalar, { nullable: true, description: 'The last event included; null before the first.' })
  position!: bigint | null;
  @Field(() => [BouncePattern], {
    complexity,
    description: 'Their `isp` field resolves against the current directory; see ispsAsOf.',
  })
  patterns!: BouncePattern[];
}

@ObjectType({ description: 'The ISP directory at a past moment.' })
export class IspsAsOf {
  @Field(() => PositionScalar, { nullable: true }) position!: bigint | null;
  @Field(() => [Isp], { complexity }) isps!: Isp[];
}

@ObjectType()
export class PatternChange {
  @Field(() => BouncePattern, { description: 'The pattern at the later moment.' }) pattern!: BouncePattern;
  @Field(() => [FieldChange]) changes!: readonly FieldChange[];
}

@ObjectType({ description: 'How the live bounce patterns differ between two moments.' })
export class RulesetDiff {
  @Field(() => PositionScalar, { nullable: true }) from!: bigint | null;
  @Field(() => PositionScalar, { nullable: true }) to!: bigint | null;
  @Field(() => [BouncePattern], { complexity }) added!: BouncePattern[];
  @Field(() => [PatternChange], { complexity }) changed!: PatternChange[];
  @Field(() => [BouncePattern], {
    complexity,
    description: 'Deleted (or not yet created) at `to`, as they stood at `from`.',
  })
  removed!: BouncePattern[];
}

@ObjectType()
export class ChainMismatch {
  @Field(() => PositionScalar) position!: bigint;
  @Field(() => ID) eventId!: string;
  @Field() streamId!: string;
  @Field() reason!: string;
}

@ObjectType({ description: 'The hash chain recomputed over the whole log.' })
export class AuditTrailVerification {
  @Field({ description: 'true only when the store keeps the chain and every link checks out.' }) ok!: boolean;
  @Field({ description: 'false: this event store (EventStoreDB) keeps no hash chain, so nothing was verified.' })
  chainKept!: boolean;
  @Field(() => Int) eventsChecked!: number;
  @Field(() => Int) mismatches!: number;
  @Field(() => ChainMismatch, { nullable: true }) firstMismatch!: ChainMismatch | null;
  @Field(() => PositionScalar, { nullable: true }) headPosition!: bigint | null;
  @Field(() => String, {
    nullable: true,
    description: 'Hash of the last event: keep it outside the service to detect a later truncation or rewrite.',
  })
  headHash!: string | null;
}
