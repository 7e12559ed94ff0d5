import { DateTimeResolver } from 'graphql-scalars';
import { Connection } from './connection.js';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BOUNCE_PATTERN_ORDER_FIELDS, type BouncePatternOrderField } from '../../app/bouncePatterns.js';
import type { BounceType, Origin } from '../../domain/types.js';
import { BounceTypeEnum, OriginEnum, SortDirectionEnum, enumOf } from './common.js';
import { RuleChangePreview } from './preview.js';

@ObjectType({ description: 'A rule that turns an SMTP reply into a verdict.' })
export class BouncePattern {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => BounceTypeEnum) type!: BounceType;
  @Field(() => ID, { nullable: true, description: 'The ISP the pattern applies to; null for all ISPs.' })
  ispId!: string | null;
  @Field({ description: 'Regular expression (RE2 syntax), matched case-insensitively against the normalised reply.' })
  pattern!: string;
  @Field({ description: 'The delivery error text shown to users.' }) message!: string;
  @Field(() => Int, { description: 'Lower is tried first.' }) priority!: number;
  @Field() enabled!: boolean;
  @Field(() => OriginEnum) origin!: Origin;
  @Field(() => Int, { description: 'Stream version: send it back as expectedVersion to edit or delete.' })
  version!: number;
  @Field({ description: 'Deleted patterns are kept in the log and can be restored.' }) deleted!: boolean;
  @Field(() => DateTimeResolver) createdAt!: string;
  @Field(() => DateTimeResolver) updatedAt!: string;
}

@ObjectType()
export class BouncePatternConnection extends Connection(BouncePattern, 'BouncePattern', 'Patterns') {}

@InputType()
export class BouncePatternFilter {
  @Field(() => BounceTypeEnum, { nullable: true }) type?: BounceType | null;
  @Field(() => ID, { nullable: true, description: 'Only the patterns of this ISP.' }) ispId?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true: only All-ISPs patterns; false: only ISP-specific ones.' })
  allIsps?: boolean | null;
  @Field(() => OriginEnum, { nullable: true }) origin?: Origin | null;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean | null;
  @Field(() => String, { nullable: true, description: 'Case-insensitive text in the name, pattern or message.' })
  search?: string | null;
  @Field(() => DateTimeResolver, {
    nullable: true,
    description: 'Only patterns that decided a reply at or after this moment.',
  })
  hitSince?: Date | null;
  @Field(() => DateTimeResolver, {
    nullable: true,
    description: 'Only patterns that decided no reply since this moment (never hit within the retention included).',
  })
  notHitSince?: Date | null;
}

export const BouncePatternOrderFieldEnum = enumOf(BOUNCE_PATTERN_ORDER_FIELDS);
registerEnumType(BouncePatternOrderFieldEnum, {
  name: 'BouncePatternOrderField',
  valuesConfig: {
    PRIORITY: { description: 'The order classify tries patterns in: priority, then creation.' },
    HITS: { description: 'Replies decided within the statistics retention (DESC: most hit first).' },
    LAST_HIT: { description: 'The last reply decided; never hit sorts as oldest.' },
  },
});

@InputType()
export class BouncePatternOrder {
  @Field(() => BouncePatternOrderFieldEnum) field!: BouncePatternOrderField;
  @Field(() => SortDirectionEnum, { defaultValue: 'ASC' }) direction!: 'ASC' | 'DESC';
}

@InputType()
export class CreateBouncePatternInput {
  @Field() name!: string;
  @Field(() => BounceTypeEnum) type!: BounceType;
  @Field(() => ID, { nullable: true, description: 'null or absent: the pattern applies to all ISPs.' })
  ispId?: string | null;
  @Field() pattern!: string;
  @Field({ defaultValue: '' }) message!: string;
  @Field(() => Int, { defaultValue: 100 }) priority!: number;
  @Field({ defaultValue: true }) enabled!: boolean;
}

@InputType({ description: 'Only the fields given are changed; ispId: null moves the pattern to all ISPs.' })
export class EditBouncePatternInput {
  @Field(() => String, { nullable: true }) name?: string;
  @Field(() => BounceTypeEnum, { nullable: true }) type?: BounceType;
  @Field(() => ID, { nullable: true }) ispId?: string | null;
  @Field(() => String, { nullable: true }) pattern?: string;
  @Field(() => String, { nullable: true }) message?: string;
  @Field(() => Int, { nullable: true }) priority?: number;
  @Field(() => Boolean, { nullable: true }) enabled?: boolean;
}

// The field each mutation's payload inherits; the base itself is not reachable, so not in the schema.
@ObjectType()
abstract class BouncePatternPayload {
  @Field(() => BouncePattern, { description: 'The pattern as the mutation left it, with its new version.' })
  pattern!: BouncePattern;
}

// Create and edit can be dry runs, which save nothing: their pattern is null then, and the preview set.
@ObjectType()
abstract class DryRunnablePayload {
  @Field(() => BouncePattern, {
    nullable: true,
    description: 'The pattern as the mutation left it, with its new version; null on a dry run.',
  })
  pattern!: BouncePattern | null;
  @Field(() => RuleChangePreview, {
    nullable: true,
    description: 'On a dry run: what the change would do to the recent sample of replies. Nothing is written.',
  })
  preview!: RuleChangePreview | null;
}

@ObjectType()
export class CreateBouncePatternPayload extends DryRunnablePayload {
  @Field(() => [String], { description: 'Advice on the saved pattern, e.g. that it has no literal text to index.' })
  warnings!: string[];
}

@ObjectType()
export class EditBouncePatternPayload extends DryRunnablePayload {
  @Field(() => [String]) warnings!: string[];
}

@ObjectType()
export class DeleteBouncePatternPayload extends BouncePatternPayload {}

@ObjectType()
export class RevertBouncePatternPayload extends BouncePatternPayload {}

@ObjectType()
export class RestoreBouncePatternPayload extends BouncePatternPayload {}
