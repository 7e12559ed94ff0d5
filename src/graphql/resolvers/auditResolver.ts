import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { AuditLogOrder } from '../../app/audit.js';
import type { AuditEntry as Entry } from '../../../projections/auditLog.js';
import type { Permission } from '../../domain/access.js';
import type { GraphQLContext } from '../context.js';
import { PageArgs } from '../types/args.js';
import { connectionOf } from '../types/connection.js';
import {
  AsOfInput,
  AuditEntry,
  AuditEntryConnection,
  AuditLogFilter,
  AuditLogOrderEnum,
  AuditTrailVerification,
  BouncePatternsAsOf,
  IspsAsOf,
  RulesetDiff,
} from '../types/audit.js';
import { Actor, toActor } from '../types/common.js';

@ArgsType()
class AuditLogArgs extends PageArgs {
  @Field(() => AuditLogFilter, { nullable: true, description: 'Which entries; absent: all.' })
  filter?: AuditLogFilter | null;
  @Field(() => AuditLogOrderEnum, { nullable: true, defaultValue: 'NEWEST_FIRST', description: 'Their order.' })
  order?: AuditLogOrder | null;
}

@ArgsType()
class RulesetDiffArgs {
  @Field(() => AsOfInput, { description: 'The earlier moment.' }) from!: AsOfInput;
  @Field(() => AsOfInput, { description: 'The later moment.' }) to!: AsOfInput;
}

@Resolver(() => AuditEntry)
export class AuditResolver {
  @Authorized<Permission>('readAudit')
  @Query(() => AuditEntryConnection, {
    description: 'Every event of the log as an audit entry, newest first unless asked otherwise.',
  })
  async auditLog(@Ctx() ctx: GraphQLContext, @Args() { filter, ...page }: AuditLogArgs): Promise<AuditEntryConnection> {
    return connectionOf(await ctx.services.audit.log(filter ?? {}, page));
  }

  @Authorized<Permission>('readAudit')
  @Query(() => BouncePatternsAsOf, { description: 'The bounce patterns as they stood at a past moment.' })
  bouncePatternsAsOf(
    @Ctx() ctx: GraphQLContext,
    @Arg('asOf', () => AsOfInput, { description: 'The moment.' }) asOf: AsOfInput,
  ) {
    return ctx.services.audit.bouncePatternsAsOf(asOf);
  }

  @Authorized<Permission>('readAudit')
  @Query(() => IspsAsOf, { description: 'The ISP directory as it stood at a past moment.' })
  ispsAsOf(@Ctx() ctx: GraphQLContext, @Arg('asOf', () => AsOfInput, { description: 'The moment.' }) asOf: AsOfInput) {
    return ctx.services.audit.ispsAsOf(asOf);
  }

  @Authorized<Permission>('readAudit')
  @Query(() => RulesetDiff, { description: 'Bounce patterns added, changed and removed between two moments.' })
  rulesetDiff(@Ctx() ctx: GraphQLContext, @Args() { from, to }: RulesetDiffArgs) {
    return ctx.services.audit.rulesetDiff(from, to);
  }

  @Authorized<Permission>('readAudit')
  @Query(() => AuditTrailVerification, {
    description: "Recomputes the log's hash chain to detect altered or removed events.",
  })
  verifyAuditTrail(@Ctx() ctx: GraphQLContext) {
    return ctx.services.audit.verify();
  }

  @FieldResolver(() => Actor, { description: 'Who made the change.' })
  actor(@Root() entry: Entry): Actor {
    return toActor(entry.actor);
  }
}
