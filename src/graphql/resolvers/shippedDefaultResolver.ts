import { Args, Authorized, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { BouncePatternRow } from '../../../projections/bouncePatternList.js';
import type { Permission } from '../../domain/access.js';
import type { GraphQLContext } from '../context.js';
import { asFullPage } from '../limits.js';
import { BouncePattern } from '../types/bouncePattern.js';
import { ShippedBouncePattern, TakeShippedBouncePatternPayload } from '../types/shippedDefault.js';
import { MutationArgs, TargetArgs } from '../types/args.js';
import { commandContext } from './commandContext.js';

/** Installed defaults against the defaults this release ships. */
@Resolver(() => BouncePattern)
export class ShippedDefaultResolver {
  @Authorized<Permission>('readRules')
  @Query(() => [BouncePattern], {
    description: 'Default patterns whose installed fields differ from what this release ships (operator edits).',
    complexity: asFullPage,
  })
  bouncePatternsDifferingFromShippedDefaults(@Ctx() ctx: GraphQLContext): BouncePatternRow[] {
    return ctx.services.shippedDefaults.differing();
  }

  @Authorized<Permission>('editPatterns')
  @Mutation(() => TakeShippedBouncePatternPayload, {
    description: 'Brings a default pattern to the version this release ships (one no longer shipped is disabled).',
  })
  async takeShippedBouncePattern(
    @Ctx() ctx: GraphQLContext,
    @Args() { id, expectedVersion }: TargetArgs,
    @Args() args: MutationArgs,
  ) {
    const { row } = await ctx.services.shippedDefaults.take(id, expectedVersion, commandContext(ctx, args));
    return { pattern: row };
  }

  @FieldResolver(() => Boolean, {
    description: 'A default whose fields are not what this release ships (an operator changed it); false for custom.',
  })
  differsFromShippedDefault(@Root() row: BouncePatternRow, @Ctx() ctx: GraphQLContext): boolean {
    return ctx.services.shippedDefaults.differs(row);
  }

  @FieldResolver(() => ShippedBouncePattern, {
    nullable: true,
    description: 'The default as this release ships it; null for a custom pattern.',
  })
  shippedDefault(@Root() row: BouncePatternRow, @Ctx() ctx: GraphQLContext): ShippedBouncePattern | null {
    const shipped = ctx.services.shippedDefaults.shipped(row);
    if (shipped === null) return null;
    return { release: ctx.services.shippedDefaults.release, removed: shipped.removed, ...shipped.fields };
  }
}
