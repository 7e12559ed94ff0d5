import { Field, ObjectType } from 'type-graphql';
import { PositionScalar } from '../scalars.js';
import { BouncePattern } from './bouncePattern.js';
import { Isp } from './isp.js';

@ObjectType({ description: 'A bounce pattern changed: the event, and the pattern as it stands once it applied.' })
export class BouncePatternChange {
  @Field(() => BouncePattern, { description: 'The pattern now (a deleted one has `deleted: true`).' })
  pattern!: BouncePattern;
  @Field({ description: 'What happened, e.g. BouncePatternEdited.' }) eventType!: string;
  @Field(() => PositionScalar, { description: "The event's place in the log." }) position!: bigint;
}

@ObjectType({ description: 'An ISP changed: the event, and the ISP as it stands once it applied.' })
export class IspChange {
  @Field(() => Isp, { description: 'The ISP now (a deleted one has `deleted: true`).' }) isp!: Isp;
  @Field({ description: 'What happened, e.g. IspEdited.' }) eventType!: string;
  @Field(() => PositionScalar, { description: "The event's place in the log." }) position!: bigint;
}

@ObjectType({ description: 'The rules classify answers with changed on this replica.' })
export class RulesetChange {
  @Field(() => PositionScalar, { description: 'The new rulesetVersion, as classify now reports it.' })
  rulesetVersion!: bigint;
}
