import { DateTimeResolver } from 'graphql-scalars';
import { Connection } from './connection.js';
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { BOUNCE_PATTERN_ORDER_FIELDS, type BouncePatternOrderField } from '../../app/bouncePatterns.js';
import type { BounceType, Origin } from '../../domain/types.js';
import { BounceTypeEnum, OriginEnum, SortDirectionEnum, enumOf } from './common.js';
import { RuleChangePreview } from './preview.js';
import { Node } from './node.js';

/** The fields a pattern has at any version: shared by the live pattern and its revisions. */
@ObjectType()
abstract class BouncePatternFieldsType {
  @Field({ description: 'A short name operators recognise the rule by.' }) name!: string;
  @Field(() => BounceTypeEnum, { description: 'The verdict the rule gives.' }) type!: BounceType;
  @Field(() => ID, { nullable: true, description: 'The ISP the pattern applies to; null for all ISPs.' })
  ispId!: string | null;
  @Field({ description: 'Regular expression (RE2 syntax), matched case-insensitively against the normalised reply.' })
  pattern!: string;
  @Field({ description: 'The delivery error text shown to users.' }) message!: string;
  @Field(() => Int, { description: 'Lower is tried first.' }) priority!: number;
  @Field({ description: 'Disabled patterns are kept but never tried.' }) enabled!: boolean;
  @Field(() => OriginEnum, { description: 'Shipped with the service, or created by an operator.' }) origin!: Origin;
  @Field({ description: 'Deleted patterns are kept in the log and can be restored.' }) deleted!: boolean;
  @Field(() => DateTimeResolver, { description: 'When the pattern was created.' }) createdAt!: string;
}

@ObjectType({ implements: Node, description: 'A rule that turns an SMTP reply into a verdict, as it stands now.' })
export class BouncePattern extends BouncePatternFieldsType {
  @Field(() => ID, { description: 'The pattern id, unique among all objects.' }) id!: string;
  @Field(() => Int, { description: 'Stream version: send it back as expectedVersion to edit or delete.' })
  version!: number;
  @Field(() => DateTimeResolver, { description: 'When the pattern last changed.' }) updatedAt!: string;
}

@ObjectType({
  implements: Node,
  description:
    'A bounce pattern as it stood at one version: a past state, with an id of its own (`<patternId>@<version>`), so a ' +
    'client cache never mixes it with the live BouncePattern.',
})
export class BouncePatternRevision extends BouncePatternFieldsType {
  @Field(() => ID, { description: 'The revision: `<patternId>@<version>`.' }) id!: string;
  @Field(() => ID, { description: 'The id of the pattern this is a revision of.' }) patternId!: string;
  @Field(() => Int, { description: 'The version this revision is.' }) version!: number;
  @Field(() => DateTimeResolver, { description: 'When this version was made.' }) updatedAt!: string;
}

@ObjectType({ description: 'A page of bounce patterns.' })
export class BouncePatternConnection extends Connection(BouncePattern, 'BouncePattern', 'Patterns') {}

@InputType({ description: 'Which patterns to list; every condition given must hold.' })
export class BouncePatternFilter {
  @Field(() => BounceTypeEnum, { nullable: true, description: 'Only patterns with this verdict.' })
  type?: BounceType | null;
  @Field(() => ID, { nullable: true, description: 'Only the patterns of this ISP.' }) ispId?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'true: only All-ISPs patterns; false: only ISP-specific ones.' })
  allIsps?: boolean | null;
  @Field(() => OriginEnum, { nullable: true, description: 'Only shipped or only custom patterns.' })
  origin?: Origin | null;
  @Field(() => Boolean, { nullable: true, description: 'Only enabled (true) or only disabled (false) patterns.' })
  enabled?: boolean | null;
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
  @Field(() => Boolean, {
    nullable: true,
    description: 'true: the trash (deleted patterns, which restoreBouncePattern brings back); otherwise live patterns.',
  })
  deleted?: boolean | null;
}

export const BouncePatternOrderFieldEnum = enumOf(BOUNCE_PATTERN_ORDER_FIELDS);
registerEnumType(BouncePatternOrderFieldEnum, {
  name: 'BouncePatternOrderField',
  description: 'What a list of patterns is sorted by.',
  valuesConfig: {
    PRIORITY: { description: 'The order classify tries patterns in: priority, then creation.' },
    NAME: { description: 'Name, case-insensitively.' },
    TYPE: { description: 'Verdict, then priority.' },
    CREATED_AT: { description: 'Creation.' },
    UPDATED_AT: { description: 'Last change.' },
    HITS: { description: 'Replies decided within the statistics retention (DESC: most hit first).' },
    LAST_HIT: { description: 'The last reply decided; never hit sorts as oldest.' },
  },
});

@InputType({ description: 'How to sort a list of patterns.' })
export class BouncePatternOrder {
  @Field(() => BouncePatternOrderFieldEnum, { description: 'The sort key.' }) field!: BouncePatternOrderField;
  @Field(() => SortDirectionEnum, { defaultValue: 'ASC', description: 'The direction.' }) direction!: 'ASC' | 'DESC';
}

@InputType({ description: 'A new bounce pattern.' })
export class CreateBouncePatternInput {
  @Field({ description: 'A short name operators recognise the rule by (at most 200 characters).' }) name!: string;
  @Field(() => BounceTypeEnum, { description: 'The verdict the rule gives.' }) type!: BounceType;
  @Field(() => ID, { nullable: true, description: 'null or absent: the pattern applies to all ISPs.' })
  ispId?: string | null;
  @Field({ description: 'RE2 regular expression, matched case-insensitively (at most 1,000 characters).' })
  pattern!: string;
  @Field({ defaultValue: '', description: 'The delivery error text shown to users (at most 2,000 characters).' })
  message!: string;
  @Field(() => Int, { defaultValue: 100, description: 'Lower is tried first (from -1,000,000 to 1,000,000).' })
  priority!: number;
  @Field({ defaultValue: true, description: 'Disabled patterns are kept but never tried.' }) enabled!: boolean;
}

@InputType({ description: 'Only the fields given are changed; ispId: null moves the pattern to all ISPs.' })
export class EditBouncePatternInput {
  @Field(() => String, { nullable: true, description: 'A new name; null or absent: unchanged.' }) name?: string | null;
  @Field(() => BounceTypeEnum, { nullable: true, description: 'A new verdict; null or absent: unchanged.' })
  type?: BounceType | null;
  @Field(() => ID, { nullable: true, description: 'Another ISP; null: all ISPs; absent: unchanged.' })
  ispId?: string | null;
  @Field(() => String, { nullable: true, description: 'A new regular expression; null or absent: unchanged.' })
  pattern?: string | null;
  @Field(() => String, { nullable: true, description: 'A new message; null or absent: unchanged.' }) message?:
    | string
    | null;
  @Field(() => Int, { nullable: true, description: 'A new priority; null or absent: unchanged.' }) priority?:
    | number
    | null;
  @Field(() => Boolean, { nullable: true, description: 'Enable or disable; null or absent: unchanged.' }) enabled?:
    | boolean
    | null;
}

// The field each mutation's payload inherits; the base itself is not reachable, so not in the schema.
@ObjectType()
abstract class BouncePatternPayload {
  @Field(() => BouncePattern, { description: 'The pattern as the mutation left it, with its new version.' })
  pattern!: BouncePattern;
}

// Create and edit can be dry runs, which save nothing: their pattern is null then, and the preview set.
@ObjectType({ description: 'A create or edit that can be a dry run.' })
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

@ObjectType({ description: 'What createBouncePattern answers.' })
export class CreateBouncePatternPayload extends DryRunnablePayload {
  @Field(() => [String], { description: 'Advice on the saved pattern, e.g. that it has no literal text to index.' })
  warnings!: string[];
}

@ObjectType({ description: 'What editBouncePattern answers.' })
export class EditBouncePatternPayload extends DryRunnablePayload {
  @Field(() => [String], { description: 'Advice on the saved pattern, e.g. that it has no literal text to index.' })
  warnings!: string[];
}

@ObjectType({ description: 'What deleteBouncePattern answers.' })
export class DeleteBouncePatternPayload extends BouncePatternPayload {}

@ObjectType({ description: 'What revertBouncePattern answers.' })
export class RevertBouncePatternPayload extends BouncePatternPayload {}

@ObjectType({ description: 'What restoreBouncePattern answers.' })
export class RestoreBouncePatternPayload extends BouncePatternPayload {}
