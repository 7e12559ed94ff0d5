import { Field, Float, ID, Int, ObjectType } from 'type-graphql';
import type { MatchedBy } from '../../../projections/matcher.js';
import type { BounceType } from '../../domain/types.js';
import { PositionScalar } from '../scalars.js';
import { MatchedByEnum } from './classification.js';
import { BounceTypeEnum } from './common.js';

@ObjectType({ description: 'One side of a verdict move.' })
export class PreviewVerdict {
  @Field(() => BounceTypeEnum, { description: 'The verdict.' }) type!: BounceType;
  @Field(() => MatchedByEnum, { description: 'Whether a pattern or a fallback decides.' }) matchedBy!: MatchedBy;
  @Field(() => ID, { nullable: true, description: 'The deciding pattern (proposed-N for a created one).' })
  patternId!: string | null;
  @Field(() => String, { nullable: true, description: 'Its name.' }) patternName!: string | null;
}

@ObjectType({ description: 'Sampled replies whose verdict the change moves from one verdict to another.' })
export class VerdictMove {
  @Field(() => PreviewVerdict, { description: 'What classify answers now.' }) from!: PreviewVerdict;
  @Field(() => PreviewVerdict, { description: 'What it would answer after the change.' }) to!: PreviewVerdict;
  @Field(() => Int, { description: 'Distinct sampled templates that move.' }) templates!: number;
  @Field(() => Float, { description: 'Their occurrences in the sample.' }) occurrences!: number;
  @Field(() => [String], { description: 'Up to three masked templates that move.' }) examples!: string[];
}

@ObjectType({ description: 'What a rule change would do to the recent sample of replies; nothing is written.' })
export class RuleChangePreview {
  @Field(() => Int, { description: 'Distinct templates in the recent sample.' }) sampledTemplates!: number;
  @Field(() => Float, { description: 'Their occurrences.' }) sampledOccurrences!: number;
  @Field(() => Float, { description: 'Occurrences whose verdict or deciding pattern would change.' })
  movedOccurrences!: number;
  @Field(() => [VerdictMove], { description: 'The moves, most occurrences first.' }) moves!: VerdictMove[];
  @Field(() => PositionScalar, { nullable: true, description: 'The rules the preview started from.' })
  rulesetVersion!: bigint | null;
}
