import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  ID,
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
import { MutationArgs, PageArgs } from '../types/args.js';
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
import { commandContext } from './commandContext.js';

@ArgsType()
class BouncePatternsArgs extends PageArgs {
  @Field(() => BouncePatternFilter, { nullable: true }) filter?: BouncePatternFilter | null;
  @Field(() => BouncePatternOrder, { nullable: true }) orderBy?: BouncePatternOrder | null;
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
  @Query(() => BouncePattern, { nullable: true })
  bouncePattern(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID) id: string): BouncePatternRow | null {
    return ctx.services.bouncePatterns.get(id) ?? null;
  }

  @Authorized<Permission>('editPatterns')
  @Mutation(() => CreateBouncePatternPayload)
  async createBouncePattern(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => CreateBouncePatternInput) input: CreateBouncePatternInput,
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
  @Mutation(() => EditBouncePatternPayload)
  async editBouncePattern(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Arg('input', () => EditBouncePatternInput) input: EditBouncePatternInput,
    @Args() args: MutationArgs,
    @Arg('dryRun', () => Boolean, { defaultValue: false, description: DRY_RUN }) dryRun: boolean,
  ) {
    if (dryRun) return dryRunOf(ctx, input.pattern, { kind: 'EDIT', id, expectedVersion, fields: { ...input } });
    const { row, warnings } = await ctx.services.bouncePatterns.edit(
      id,
      expectedVersion,
      { ...input },
      commandContext(ctx, args),
    );
    return { pattern: row, warnings };
  }

  @Authorized<Permission>('editPatterns')
  @Mutation(() => DeleteBouncePatternPayload, { description: 'Deletes a custom pattern; its events stay in the log.' })
  async deleteBouncePattern(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
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
    @Arg('id', () => ID) id: string,
    @Arg('toVersion', () => Int) toVersion: number,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Args() args: MutationArgs,
  ) {
    const { row } = await ctx.services.bouncePatterns.revert(
      id,
      toVersion,
      expectedVersion ?? undefined,
      commandContext(ctx, args),
    );
    return { pattern: row };
  }

  @Authorized<Permission>('editPatterns')
  @Mutation(() => RestoreBouncePatternPayload, { description: 'Brings a deleted pattern back, as a new version.' })
  async restoreBouncePattern(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion: number | null,
    @Args() args: MutationArgs,
  ) {
    const { row } = await ctx.services.bouncePatterns.restore(
      id,
      expectedVersion ?? undefined,
      commandContext(ctx, args),
    );
    return { pattern: row };
  }

  @FieldResolver(() => Isp, { nullable: true, description: 'null for a pattern that applies to all ISPs.' })
  isp(@Root() row: BouncePatternRow, @Ctx() ctx: GraphQLContext) {
    return row.ispId === null ? null : ctx.loaders.isp.load(row.ispId);
  }

  @FieldResolver(() => Actor)
  createdBy(@Root() row: BouncePatternRow): Actor {
    return toActor(row.createdBy);
  }

  @FieldResolver(() => Actor)
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
