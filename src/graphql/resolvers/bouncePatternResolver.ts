import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { patternWarnings } from '../../app/classifier.js';
import type { BouncePatternRow } from '../../../projections/bouncePatternList.js';
import type { Permission } from '../../domain/access.js';
import type { GraphQLContext } from '../context.js';
import { asFullPage } from '../limits.js';
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
import { commandContext, REASON } from './commandContext.js';

export const CLIENT_MUTATION_ID = {
  nullable: true,
  description: 'Idempotency key: a retried mutation with the same id is applied once.',
} as const;

@Resolver(() => BouncePattern)
export class BouncePatternResolver {
  @Authorized<Permission>('readRules')
  @Query(() => BouncePatternConnection, { description: 'The bounce patterns, filtered, sorted and paginated.' })
  bouncePatterns(
    @Ctx() ctx: GraphQLContext,
    @Arg('filter', () => BouncePatternFilter, { nullable: true }) filter?: BouncePatternFilter,
    @Arg('orderBy', () => BouncePatternOrder, { nullable: true }) orderBy?: BouncePatternOrder,
    @Arg('first', () => Int, { nullable: true }) first?: number,
    @Arg('after', () => String, { nullable: true }) after?: string,
  ): BouncePatternConnection {
    const page = ctx.services.bouncePatterns.list(filter ?? {}, orderBy ?? undefined, { first, after });
    return connectionOf(page);
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
    @Arg('reason', () => String, REASON) reason?: string,
    @Arg('clientMutationId', () => ID, CLIENT_MUTATION_ID) clientMutationId?: string,
  ) {
    const fields = { ...input, ispId: input.ispId ?? null };
    const { row } = await ctx.services.bouncePatterns.create(fields, commandContext(ctx, reason, clientMutationId));
    return { pattern: row, warnings: patternWarnings(fields.pattern) };
  }

  @Authorized<Permission>('editPatterns')
  @Mutation(() => EditBouncePatternPayload)
  async editBouncePattern(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Arg('input', () => EditBouncePatternInput) input: EditBouncePatternInput,
    @Arg('reason', () => String, REASON) reason?: string,
    @Arg('clientMutationId', () => ID, CLIENT_MUTATION_ID) clientMutationId?: string,
  ) {
    const { row } = await ctx.services.bouncePatterns.edit(
      id,
      expectedVersion,
      { ...input },
      commandContext(ctx, reason, clientMutationId),
    );
    return { pattern: row, warnings: input.pattern ? patternWarnings(input.pattern) : [] };
  }

  @Authorized<Permission>('editPatterns')
  @Mutation(() => DeleteBouncePatternPayload, { description: 'Deletes a custom pattern; its events stay in the log.' })
  async deleteBouncePattern(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int) expectedVersion: number,
    @Arg('reason', () => String, REASON) reason?: string,
    @Arg('clientMutationId', () => ID, CLIENT_MUTATION_ID) clientMutationId?: string,
  ) {
    const { row } = await ctx.services.bouncePatterns.delete(
      id,
      expectedVersion,
      commandContext(ctx, reason, clientMutationId),
    );
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
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
    @Arg('reason', () => String, REASON) reason?: string,
    @Arg('clientMutationId', () => ID, CLIENT_MUTATION_ID) clientMutationId?: string,
  ) {
    const { row } = await ctx.services.bouncePatterns.revert(
      id,
      toVersion,
      expectedVersion ?? undefined,
      commandContext(ctx, reason, clientMutationId),
    );
    return { pattern: row };
  }

  @Authorized<Permission>('editPatterns')
  @Mutation(() => RestoreBouncePatternPayload, { description: 'Brings a deleted pattern back, as a new version.' })
  async restoreBouncePattern(
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID) id: string,
    @Arg('expectedVersion', () => Int, { nullable: true }) expectedVersion?: number,
    @Arg('reason', () => String, REASON) reason?: string,
    @Arg('clientMutationId', () => ID, CLIENT_MUTATION_ID) clientMutationId?: string,
  ) {
    const { row } = await ctx.services.bouncePatterns.restore(
      id,
      expectedVersion ?? undefined,
      commandContext(ctx, reason, clientMutationId),
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
