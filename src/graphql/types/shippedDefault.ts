import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { BounceType } from '../../domain/types.js';
import { BouncePattern } from './bouncePattern.js';
import { BounceTypeEnum } from './common.js';

@ObjectType({ description: 'A default pattern as the running release of the service ships it.' })
export class ShippedBouncePattern {
  @Field({ description: 'The release of the shipped defaults, e.g. 2026.12.1.' }) release!: string;
  @Field({ description: 'This release no longer ships the default: it ships it disabled.' }) removed!: boolean;
  @Field() name!: string;
  @Field(() => BounceTypeEnum) type!: BounceType;
  @Field(() => ID, { nullable: true }) ispId!: string | null;
  @Field() pattern!: string;
  @Field() message!: string;
  @Field(() => Int) priority!: number;
  @Field() enabled!: boolean;
}

@ObjectType()
export class TakeShippedBouncePatternPayload {
  @Field(() => BouncePattern, { description: 'The pattern as the mutation left it, with its new version.' })
  pattern!: BouncePattern;
}
