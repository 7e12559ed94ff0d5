import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { BouncePatternRow } from '../../../projections/bouncePatternList.js';
import { patternWarnings } from '../../app/bouncePatterns.js';
import type { RuleChange } from '../../app/insight.js';
import type { Permission } from '../../domain/access.js';
import type { GraphQLContext } from '../context.js';
import { asFullPage } from '../limits.js';
import { IdArgs, MutationArgs, PageArgs, TargetArgs } from '../types/args.js';
import { connectionOf } from '../types/connection.js';
import { AuditEntry } from '../types/audit.js';
import { Actor, toActor } from '../types/common.js';
import {
  BouncePattern,
  BouncePatternConnection,
  BouncePatternFilter,
  BouncePatternOrder,
  CreateBouncePatternInput,
  CreateBouncePatternPayload,
  DeleteBouncePatternPayload,
  EditBouncePatternInput,
  EditBouncePatternPayload,
  RestoreBouncePatternPayload,
  RevertBouncePatternPayload,
} from '../types/bouncePattern.js';
import { Isp } from '../types/isp.js';
import { changesOf, commandContext } from './commandContext.js';

@ArgsType()
class BouncePatternsArgs extends PageArgs {
  @Field(() => BouncePatternFilter, { nullable: true, description: 'Which patterns; absent: every live pattern.' })
  filter?: BouncePatternFilter | null;
  @Field(() => BouncePatternOrder, { nullable: true, description: 'How to sort them; absent: rule order.' })
  orderBy?: BouncePatternOrder | null;
}

const DRY_RUN = 'true: save nothing; answer the preview of the change on the recent sample of replies instead.';

async function dryRunOf(ctx: GraphQLContext, pattern: string | undefined, change: RuleChange) {
  const preview = await ctx.services.insight.preview([change]);
  return { pattern: null, preview, warnings: pattern === undefined ? [] : patternWarnings(pattern) };
}

@Resolver(() => BouncePattern)
export class BouncePatternResolver {
  @Authorized<Permission>('readRules')
  @Query(() => BouncePatternConnection, { description: 'The bounce patterns, filtered, sorted and paginated.' })
  async bouncePatterns(@Ctx() ctx: GraphQLContext, @Args() { filter, orderBy, ...page }: BouncePatternsArgs) {
    await ctx.services.statistics.freshTotals();
    return connectionOf(ctx.services.bouncePatterns.list(filter ?? {}, orderBy ?? undefined, page));
  }

  @Authorized<Permission>('readRules')
  @Query(() => BouncePattern, {
    nullable: true,
    description: 'One pattern by id, live or in the trash (then `deleted: true`); null when there is none.',
  })
  bouncePattern(@Ctx() ctx: GraphQLContext, @Args() { id }: IdArgs): BouncePatternRow | null {
    return ctx.services.bouncePatterns.get(id) ?? null;
  }

  @Authorized<Permission>('editPatterns')
  @Mutation(() => CreateBouncePatternPayload, {
    description: 'Adds a custom pattern; classify uses it once this answers.',
  })
  async createBouncePattern(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => CreateBouncePatternInput, { description: 'The new pattern.' }) input: CreateBouncePatternInput,
    @Args() args: MutationArgs,
    @Arg('dryRun', () => Boolean, { defaultValue: false, description: DRY_RUN }) dryRun: boolean,
  ) {
    if (dryRun)
      return dryRunOf(ctx, input.pattern, { kind: 'CREATE', fields: { ...input, ispId: input.ispId ?? null } });
    const { row, warnings } = await ctx.services.bouncePatterns.create(
      { ...input, ispId: input.ispId ?? null },
      commandContext(ctx, args),
    );
    return { pattern: row, warnings };
  }

  @Authorized<Permission>('editPatterns')
  @Mutation(() => EditBouncePatternPayload, {
    description: 'Changes the fields given; classify uses them once this answers.',
  })
  async editBouncePattern(
    @Ctx() ctx: GraphQLContext,
    @Args() { id, expectedVersion }: TargetArgs,
    @Arg('input', () => EditBouncePatternInput, { description: 'The fields to change.' }) input: EditBouncePatternInput,
    @Args() args: MutationArgs,
    @Arg('dryRun', () => Boolean, { defaultValue: false, description: DRY_RUN }) dryRun: boolean,
  ) {
    const changes = changesOf(input, ['ispId']);
    if (dryRun) return dryRunOf(ctx, changes.pattern, { kind: 'EDIT', id, expectedVersion, fields: changes });
    const { row, warnings } = await ctx.services.bouncePatterns.edit(
      id,
      expectedVersion,
      changes,
      commandContext(ctx, args),
    );
    return { pattern: row, warnings };
  }

  @Authorized<Permission>('editPatterns')
  @Mutation(() => DeleteBouncePatternPayload, { description: 'Deletes a custom pattern; its events stay in the log.' })
  async deleteBouncePattern(
    @Ctx() ctx: GraphQLContext,
    @Args() { id, expectedVersion }: TargetArgs,
    @Args() args: MutationArgs,
  ) {
    const { row } = await ctx.services.bouncePatterns.delete(id, expectedVersion, commandContext(ctx, args));
    return { pattern: row };
  }

  @Authorized<Permission>('editPatterns')
  @Mutation(() => RevertBouncePatternPayload, {
    description: 'Brings a pattern back to the fields it had at an earlier version, as a new version; history is kept.',
  })
  async revertBouncePattern(
    @Ctx() ctx: GraphQLContext,
    @Args() { id, expectedVersion }: TargetArgs,
    @Arg('toVersion', () => Int, { description: 'The earlier version whose fields to bring back.' }) toVersion: number,
    @Args() args: MutationArgs,
  ) {
    const { row } = await ctx.services.bouncePatterns.revert(id, toVersion, expectedVersion, commandContext(ctx, args));
    return { pattern: row };
  }

  @Authorized<Permission>('editPatterns')
  @Mutation(() => RestoreBouncePatternPayload, { description: 'Brings a deleted pattern back, as a new version.' })
  async restoreBouncePattern(
    @Ctx() ctx: GraphQLContext,
    @Args() { id, expectedVersion }: TargetArgs,
    @Args() args: MutationArgs,
  ) {
    const { row } = await ctx.services.bouncePatterns.restore(id, expectedVersion, commandContext(ctx, args));
    return { pattern: row };
  }

  @FieldResolver(() => Isp, { nullable: true, description: 'null for a pattern that applies to all ISPs.' })
  isp(@Root() row: BouncePatternRow, @Ctx() ctx: GraphQLContext) {
    return row.ispId === null ? null : ctx.loaders.isp.load(row.ispId);
  }

  @FieldResolver(() => Actor, { description: 'Who created the pattern.' })
  createdBy(@Root() row: BouncePatternRow): Actor {
    return toActor(row.createdBy);
  }

  @FieldResolver(() => Actor, { description: 'Who made the last change.' })
  updatedBy(@Root() row: BouncePatternRow): Actor {
    return toActor(row.updatedBy);
  }

  @Authorized<Permission>('readAudit')
  @FieldResolver(() => [AuditEntry], {
    description: "The pattern's audit entries, oldest first.",
    complexity: asFullPage,
  })
  history(@Root() row: BouncePatternRow, @Ctx() ctx: GraphQLContext) {
    return ctx.services.audit.patternHistory(row.id);
  }
}
