import { ArgsType, Field, ID, Int } from 'type-graphql';
import { PAGE_SIZE } from '../../app/pagination.js';

/** `first`/`after` of every Relay connection. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    description: `Page size: ${PAGE_SIZE.default} by default, at most ${PAGE_SIZE.max}.`,
  })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string | null;
}

/** What every mutation carries besides its input. */
@ArgsType()
export class MutationArgs {
  @Field(() => String, { nullable: true, description: 'Why the change is made; kept in the audit trail.' })
  reason?: string | null;

  @Field(() => ID, {
    nullable: true,
    description:
      'Idempotency key: a retried mutation with the same key and input is applied once; the key with another input is refused.',
  })
  clientMutationId?: string | null;
}

const EXPECTED_VERSION =
  "The version the change was made on (the object's `version` as read); a stale one is refused with CONFLICT.";

/** The object a change is made to, and the version it was read at. */
@ArgsType()
export class TargetArgs {
  @Field(() => ID, { description: 'The id of the object to change.' })
  id!: string;

  @Field(() => Int, { description: EXPECTED_VERSION })
  expectedVersion!: number;
}

/** One object by id. */
@ArgsType()
export class IdArgs {
  @Field(() => ID, { description: 'The object id.' })
  id!: string;
}
