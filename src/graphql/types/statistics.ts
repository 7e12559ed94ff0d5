import { DateTimeResolver } from 'graphql-scalars';
import { Field, Float, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ISP_FOUND_BY, TRIAL_OUTCOMES, type IspFoundBy, type TrialOutcome } from '../../../projections/explain.js';
import type { MatchedBy } from '../../../projections/matcher.js';
import { RULE_CHANGE_KINDS, type RuleChangeKind } from '../../app/insight.js';
import type { BounceType } from '../../domain/types.js';
import { Classification, MatchedByEnum } from './classification.js';
import { BounceTypeEnum, enumOf } from './common.js';
import { Connection } from './connection.js';
import { EditBouncePatternInput } from './bouncePattern.js';
import { Isp } from './isp.js';

@ObjectType({ description: 'Hits counted in one bucket of time.' })
export class HitBucket {
  @Field(() => DateTimeResolver, { description: 'Start of the bucket (a whole hour or day, UTC).' }) start!: Date;
  @Field(() => Float, { description: 'Replies the pattern decided in the bucket.' }) count!: number;
}

@ObjectType({
  description:
    'How often a pattern decided a reply (counted by classify and classifyBatch with the live rules), within the retention.',
})
export class PatternHits {
  /** The pattern, for the bucket field resolvers. */
  patternId!: string;
  @Field(() => Float, { description: 'Replies the pattern decided: every replica’s flushed counts plus this one’s.' })
  total!: number;
  @Field(() => DateTimeResolver, { nullable: true, description: 'The last reply it decided; null: none.' })
  lastHitAt!: Date | null;
}

@ObjectType({ description: 'Replies that got one verdict in one way.' })
export class VerdictCount {
  @Field(() => BounceTypeEnum, { description: 'The verdict.' }) type!: BounceType;
  @Field(() => MatchedByEnum, { description: 'Whether a pattern or a fallback decided.' }) matchedBy!: MatchedBy;
  @Field(() => Float, { description: 'How many replies.' }) count!: number;
}

@ObjectType({ description: 'Replies of one ISP that got one verdict.' })
export class IspVerdictCount {
  @Field(() => ID, { nullable: true, description: 'The ISP; null: replies no ISP was found for.' })
  ispId!: string | null;
  @Field(() => BounceTypeEnum, { description: 'The verdict.' }) type!: BounceType;
  @Field(() => Float, { description: 'How many replies.' }) count!: number;
}

@ObjectType({ description: 'What classify answered, summed (flushed counts, all replicas).' })
export class HitTotals {
  @Field(() => [VerdictCount], { description: 'By verdict and by what decided it.' }) byVerdict!: VerdictCount[];
  @Field(() => [IspVerdictCount], { description: 'By ISP and verdict.' }) byIsp!: IspVerdictCount[];
}

@ObjectType({ description: 'Replies a fallback answered, grouped by their masked template, ISP and verdict.' })
export class UnmatchedReply {
  @Field(() => ID, { description: 'The group: a hash of template, ISP and verdict.' }) key!: string;
  @Field({
    description: 'The reply with addresses, IPs, host names, queue ids and numbers masked ({address}, {ip}, …).',
  })
  template!: string;
  @Field({ description: 'One reply of the group, with addresses and the recipient’s local part masked.' })
  example!: string;
  @Field(() => ID, { nullable: true, description: 'The ISP the replies were attributed to.' }) ispId!: string | null;
  @Field(() => BounceTypeEnum, { description: 'The verdict the fallback gave.' }) type!: BounceType;
  @Field(() => MatchedByEnum, { description: 'REPLY_CODE or NONE.' }) matchedBy!: MatchedBy;
  @Field(() => Float, { description: 'Occurrences (estimated when a flush interval held more replies than kept).' })
  count!: number;
  @Field(() => DateTimeResolver, { description: 'First seen.' }) firstSeenAt!: Date;
  @Field(() => DateTimeResolver, { description: 'Last seen.' }) lastSeenAt!: Date;
  @Field({ description: 'The template escaped, masked parts as wildcards: try it with testPattern before saving.' })
  suggestedPattern!: string;
}

@ObjectType({ description: 'A page of unmatched reply groups, most seen first.' })
export class UnmatchedReplyConnection extends Connection(UnmatchedReply, 'UnmatchedReply', 'Groups') {}

@InputType({ description: 'Which unmatched reply groups to list.' })
export class UnmatchedReplyFilter {
  @Field(() => ID, { nullable: true, description: 'Only the groups of this ISP.' }) ispId?: string | null;
  @Field(() => BounceTypeEnum, { nullable: true, description: 'Only the groups the fallback gave this verdict.' })
  type?: BounceType | null;
  @Field(() => String, { nullable: true, description: 'Case-insensitive text in the template.' })
  search?: string | null;
  @Field(() => DateTimeResolver, { nullable: true, description: 'Only groups seen at or after this moment.' })
  seenSince?: Date | null;
}

export const TrialOutcomeEnum = enumOf(TRIAL_OUTCOMES);
registerEnumType(TrialOutcomeEnum, {
  name: 'TrialOutcome',
  description: 'Why a rule won or lost.',
  valuesConfig: {
    WON: { description: 'The first rule, in rule order, whose regex matched: it decided.' },
    NO_MATCH: { description: 'Tried; its regex did not match.' },
    LOST_TO_EARLIER: { description: 'Its regex matches, but a rule tried before it (scope, then priority) won.' },
    DISABLED: { description: 'Its regex matches, but the rule is disabled.' },
    OTHER_ISP: { description: 'Its regex matches, but the rule belongs to another ISP.' },
  },
});

export const IspFoundByEnum = enumOf(ISP_FOUND_BY);
registerEnumType(IspFoundByEnum, {
  name: 'IspFoundBy',
  description: 'How the ISP of a request was found.',
  valuesConfig: {
    ISP_ID: { description: 'The request named the ISP.' },
    DOMAIN: { description: 'The recipient’s domain, or a parent of it, belongs to the ISP.' },
    NONE: { description: 'No ISP: only All-ISPs rules apply.' },
  },
});

@ObjectType({ description: 'A rule as explainClassification considered it (its fields as the rules stood).' })
export class RuleTrial {
  @Field(() => ID, { description: 'The pattern.' }) patternId!: string;
  @Field({ description: 'Its name.' }) name!: string;
  @Field({ description: 'Its regular expression.' }) pattern!: string;
  @Field(() => BounceTypeEnum, { description: 'The verdict it gives.' }) type!: BounceType;
  @Field(() => Int, { description: 'Its priority (lower is tried first).' }) priority!: number;
  @Field(() => ID, { nullable: true, description: 'Its ISP; null: all ISPs.' }) ispId!: string | null;
  @Field({ description: 'Whether it is the ISP’s own rule (tried before All-ISPs rules).' }) ispSpecific!: boolean;
  @Field({ description: 'false: the pattern has no literal text, so it is tried on every reply.' }) indexed!: boolean;
  @Field({ description: 'Whether its regex matches the normalised reply.' }) matched!: boolean;
  @Field(() => TrialOutcomeEnum, { description: 'Why it won or lost.' }) outcome!: TrialOutcome;
}

@ObjectType({ description: 'How the ISP of a request was found.' })
export class IspResolution {
  @Field(() => IspFoundByEnum, { description: 'By the ISP id given, the recipient’s domain, or not at all.' })
  foundBy!: IspFoundBy;
  @Field(() => [String], { description: 'The recipient’s domain and its parents, in the order looked up.' })
  domainsTried!: string[];
  @Field(() => String, { nullable: true, description: 'The domain that named the ISP.' }) domain!: string | null;
  @Field(() => Isp, { nullable: true, description: 'The ISP found.' }) isp!: Isp | null;
}

@ObjectType({ description: 'Why classify gives its verdict on a reply, step by step.' })
export class ClassificationExplanation {
  @Field({ description: 'The reply as patterns see it: one line, single spaces, no continuation prefixes.' })
  normalisedReply!: string;
  @Field(() => String, { nullable: true, description: 'The reply code, e.g. 550.' }) replyCode!: string | null;
  @Field(() => String, { nullable: true, description: 'The enhanced status code, e.g. 5.1.1.' })
  enhancedStatusCode!: string | null;
  @Field(() => IspResolution, { description: 'How the ISP was found.' }) ispResolution!: IspResolution;
  @Field(() => [RuleTrial], {
    description:
      'The rules tried in order up to the winner, then the later, disabled or other-ISP rules that match too.',
  })
  trials!: RuleTrial[];
  @Field(() => Int, { description: 'Rules never tried: the literal text they need is absent from the reply.' })
  rulesWithTextAbsent!: number;
  @Field(() => Int, { description: 'Rules after the winner whose text is present and whose regex does not match.' })
  rulesNotReached!: number;
  @Field(() => Classification, { description: 'The verdict: what classify answers.' }) verdict!: Classification;
  @Field(() => String, { nullable: true, description: 'Why the fallback decided, when no rule matched.' })
  fallbackReason!: string | null;
}

export const RuleChangeKindEnum = enumOf(RULE_CHANGE_KINDS);
registerEnumType(RuleChangeKindEnum, {
  name: 'RuleChangeKind',
  description: 'A change to preview.',
  valuesConfig: {
    CREATE: { description: 'A new pattern (fields: name, type and pattern at least).' },
    EDIT: { description: 'New values for the fields given.' },
    DELETE: { description: 'The pattern removed (a default cannot be deleted).' },
    ENABLE: { description: 'The pattern enabled.' },
    DISABLE: { description: 'The pattern disabled.' },
  },
});

@InputType({ description: 'One proposed change to the rules.' })
export class RuleChangeInput {
  @Field(() => RuleChangeKindEnum, { description: 'CREATE, EDIT, DELETE, ENABLE or DISABLE.' }) kind!: RuleChangeKind;
  @Field(() => ID, { nullable: true, description: 'The pattern to change; not for CREATE.' }) id?: string | null;
  @Field(() => EditBouncePatternInput, {
    nullable: true,
    description: 'CREATE: the new pattern (name, type, pattern required); EDIT: the fields to change.',
  })
  fields?: EditBouncePatternInput | null;
}
