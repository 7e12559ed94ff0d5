import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { BounceType } from '../../domain/types.js';
import { MATCHED_BY, type MatchedBy } from '../../../projections/matcher.js';
import { PositionScalar } from '../scalars.js';
import { BounceTypeEnum, enumOf } from './common.js';

export const MatchedByEnum = enumOf(MATCHED_BY);
registerEnumType(MatchedByEnum, {
  name: 'MatchedBy',
  description: 'What decided a verdict.',
  valuesConfig: {
    PATTERN: { description: 'A bounce pattern matched the reply.' },
    REPLY_CODE: { description: 'No pattern matched: the verdict follows the reply code class (4xx soft, 5xx bounce).' },
    NONE: { description: 'No pattern matched and the reply has no code: BOUNCE.' },
  },
});

@ObjectType({ description: "classify's verdict on one reply, traceable to the rules that produced it." })
export class Classification {
  @Field(() => BounceTypeEnum, { description: 'The verdict.' }) type!: BounceType;
  @Field(() => MatchedByEnum, { description: 'What decided it: a pattern, the reply code, or nothing.' })
  matchedBy!: MatchedBy;
  @Field({ description: "The matched pattern's message, or the fallback's." }) message!: string;
  @Field(() => String, { nullable: true, description: 'The reply code, e.g. 550.' }) replyCode!: string | null;
  @Field(() => String, { nullable: true, description: 'The enhanced status code, e.g. 5.1.1.' })
  enhancedStatusCode!: string | null;
  @Field(() => PositionScalar, { nullable: true, description: 'Position of the last event the rules were built from.' })
  rulesetVersion!: bigint | null;
}

@InputType({ description: 'One reply to classify.' })
export class ClassifyInput {
  @Field({ description: 'The SMTP reply, as the receiving server sent it (multi-line allowed).' }) reply!: string;
  @Field(() => String, { nullable: true, description: 'Recipient address or domain, to find the ISP.' })
  recipient?: string | null;
  @Field(() => ID, { nullable: true, description: 'Explicit ISP; wins over the recipient.' }) ispId?: string | null;
}

@ObjectType({ description: 'A pattern under test, tried on one sample reply.' })
export class PatternTrial {
  @Field({ description: 'The sample reply.' }) reply!: string;
  @Field({ description: 'Whether the pattern under test matches this reply.' }) matches!: boolean;
  @Field(() => Classification, { description: 'What classify answers for this reply today.' }) current!: Classification;
}

@ObjectType({ description: 'A pattern tried on sample replies before it is saved.' })
export class PatternTest {
  @Field(() => [PatternTrial], { description: 'One trial per sample, in the order given.' }) trials!: PatternTrial[];
  @Field(() => [String], { description: 'Advice on the pattern, e.g. that it has no literal text to index.' })
  warnings!: string[];
}
