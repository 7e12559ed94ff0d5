import {
  Arg,
  Args,
  ArgsType,
  Authorized,
  Ctx,
  Field,
  FieldResolver,
  Mutation,
  Query,
  Resolver,
  Root,
} from 'type-graphql';
import type { IspRow } from '../../../projections/ispDirectory.js';
import type { Permission } from '../../domain/access.js';
import type { GraphQLContext } from '../context.js';
import { asFullPage } from '../limits.js';
import { IdArgs, MutationArgs, PageArgs, TargetArgs } from '../types/args.js';
import { connectionOf } from '../types/connection.js';
import { AuditEntry } from '../types/audit.js';
import { BouncePattern } from '../types/bouncePattern.js';
import { CreateIspInput, EditIspInput, Isp, IspConnection, IspPayload } from '../types/isp.js';
import { changesOf, commandContext } from './commandContext.js';

@ArgsType()
class IspsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Text in the name or a domain.' }) search?: string | null;
}

@Resolver(() => Isp)
export class IspResolver {
  @Authorized<Permission>('readRules')
  @Query(() => IspConnection, { description: 'The ISP directory, by name.' })
  isps(@Ctx() ctx: GraphQLContext, @Args() args: IspsArgs): IspConnection {
    return connectionOf(ctx.services.isps.list(args));
  }

  @Authorized<Permission>('readRules')
  @Query(() => Isp, { nullable: true, description: 'One live ISP by id; null when there is none.' })
  isp(@Ctx() ctx: GraphQLContext, @Args() { id }: IdArgs): IspRow | null {
    return ctx.services.isps.get(id) ?? null;
  }

  @Authorized<Permission>('editIsps')
  @Mutation(() => IspPayload, { description: 'Adds a custom ISP.' })
  async createIsp(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => CreateIspInput, { description: 'The new ISP.' }) input: CreateIspInput,
    @Args() args: MutationArgs,
  ) {
    const { row } = await ctx.services.isps.create({ ...input }, commandContext(ctx, args));
    return { isp: row };
  }

  @Authorized<Permission>('editIsps')
  @Mutation(() => IspPayload, { description: 'Changes the fields given.' })
  async editIsp(
    @Ctx() ctx: GraphQLContext,
    @Args() { id, expectedVersion }: TargetArgs,
    @Arg('input', () => EditIspInput, { description: 'The fields to change.' }) input: EditIspInput,
    @Args() args: MutationArgs,
  ) {
    const { row } = await ctx.services.isps.edit(id, expectedVersion, changesOf(input), commandContext(ctx, args));
    return { isp: row };
  }

  @Authorized<Permission>('editIsps')
  @Mutation(() => IspPayload, { description: 'Deletes a custom ISP that no pattern uses.' })
  async deleteIsp(@Ctx() ctx: GraphQLContext, @Args() { id, expectedVersion }: TargetArgs, @Args() args: MutationArgs) {
    const { row } = await ctx.services.isps.delete(id, expectedVersion, commandContext(ctx, args));
    return { isp: row };
  }

  @FieldResolver(() => [BouncePattern], {
    description: "The ISP's own patterns, in the order classify tries them.",
    complexity: asFullPage,
  })
  patterns(@Root() row: IspRow, @Ctx() ctx: GraphQLContext) {
    return ctx.loaders.patternsByIsp.load(row.id);
  }

  @Authorized<Permission>('readAudit')
  @FieldResolver(() => [AuditEntry], {
    description: "The ISP's audit entries, oldest first.",
    complexity: asFullPage,
  })
  history(@Root() row: IspRow, @Ctx() ctx: GraphQLContext) {
    return ctx.services.audit.ispHistory(row.id);
  }
}
