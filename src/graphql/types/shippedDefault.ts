import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { BounceType } from '../../domain/types.js';
import { BouncePattern } from './bouncePattern.js';
import { BounceTypeEnum } from './common.js';

@ObjectType({ description: 'A default pattern as the running release of the service ships it.' })
export class ShippedBouncePattern {
  @Field({ description: 'The release of the shipped defaults, e.g. 2026.12.1.' }) release!: string;
  @Field({ description: 'This release no longer ships the default: it ships it disabled.' }) removed!: boolean;
  @Field({ description: 'The shipped name.' }) name!: string;
  @Field(() => BounceTypeEnum, { description: 'The shipped verdict.' }) type!: BounceType;
  @Field(() => ID, { nullable: true, description: 'The shipped ISP; null for all ISPs.' }) ispId!: string | null;
  @Field({ description: 'The shipped regular expression.' }) pattern!: string;
  @Field({ description: 'The shipped message.' }) message!: string;
  @Field(() => Int, { description: 'The shipped priority.' }) priority!: number;
  @Field({ description: 'Whether the release ships it enabled.' }) enabled!: boolean;
}

@ObjectType({ description: 'What takeShippedBouncePattern answers.' })
export class TakeShippedBouncePatternPayload {
  @Field(() => BouncePattern, { description: 'The pattern as the mutation left it, with its new version.' })
  pattern!: BouncePattern;
}
