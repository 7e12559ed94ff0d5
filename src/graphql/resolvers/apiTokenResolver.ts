import { Arg, Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Permission } from '../../domain/access.js';
import type { ApiTokenRow } from '../../../projections/apiTokens.js';
import type { GraphQLContext } from '../context.js';
import { ApiToken, CreateApiTokenInput, CreateApiTokenPayload, RevokeApiTokenPayload } from '../types/apiToken.js';
import { Actor, toActor } from '../types/common.js';
import { IdArgs, MutationArgs } from '../types/args.js';
import { commandContext } from './commandContext.js';

@Resolver(() => ApiToken)
export class ApiTokenResolver {
  @Authorized<Permission>('manageTokens')
  @Query(() => [ApiToken], { description: 'Every API token, revoked ones included, oldest first.' })
  apiTokens(@Ctx() ctx: GraphQLContext): ApiTokenRow[] {
    return ctx.services.apiTokens.list();
  }

  @Authorized<Permission>('manageTokens')
  @Mutation(() => CreateApiTokenPayload, { description: 'Makes a token; its secret is in this answer only.' })
  async createApiToken(
    @Ctx() ctx: GraphQLContext,
    @Arg('input', () => CreateApiTokenInput, { description: 'The new token.' }) input: CreateApiTokenInput,
    @Args() args: MutationArgs,
  ) {
    const { row, secret } = await ctx.services.apiTokens.create(input.name, input.role, commandContext(ctx, args));
    return { token: row, secret };
  }

  @Authorized<Permission>('manageTokens')
  @Mutation(() => RevokeApiTokenPayload, { description: 'A revoked token is refused from its next request on.' })
  async revokeApiToken(@Ctx() ctx: GraphQLContext, @Args() { id }: IdArgs, @Args() args: MutationArgs) {
    return { token: await ctx.services.apiTokens.revoke(id, commandContext(ctx, args)) };
  }

  @FieldResolver(() => Actor, { description: 'Who created the token.' })
  createdBy(@Root() row: ApiTokenRow): Actor {
    return toActor(row.createdBy);
  }
}
