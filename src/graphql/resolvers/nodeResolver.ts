import { Arg, Authorized, Ctx, FieldResolver, ID, Query, Resolver, Root } from 'type-graphql';
import type { BouncePatternRow } from '../../../projections/bouncePatternList.js';
import type { IspRow } from '../../../projections/ispDirectory.js';
import { permissionsOf, requirePermission, type Permission } from '../../domain/access.js';
import { actorOf } from '../auth.js';
import type { GraphQLContext } from '../context.js';
import { BouncePatternRevision } from '../types/bouncePattern.js';
import { Viewer } from '../types/apiToken.js';
import { IspRevision } from '../types/isp.js';
import { parseRevisionId, revisionId } from '../revisionIds.js';
import { Node } from '../types/node.js';

/** Tags a row with its GraphQL type, which the Node interface resolves by. */
const as = <T extends object>(__typename: string, row: T | undefined) => (row ? { ...row, __typename } : null);

@Resolver()
export class NodeResolver {
  @Authorized<Permission>('readRules')
  @Query(() => Node, {
    nullable: true,
    description: 'Any object by its id: a pattern, an ISP, or (with readAudit) a revision `<id>@<version>`.',
  })
  async node(@Ctx() ctx: GraphQLContext, @Arg('id', () => ID, { description: 'The object id.' }) id: string) {
    const { bouncePatterns, isps, audit } = ctx.services;
    const revision = parseRevisionId(id);
    if (!revision) return as('BouncePattern', bouncePatterns.get(id)) ?? as('Isp', isps.get(id));
    requirePermission(ctx.principal?.role ?? null, 'readAudit', 'a revision is part of the audit trail');
    return (
      as('BouncePatternRevision', await audit.patternRevision(revision.id, revision.version)) ??
      as('IspRevision', await audit.ispRevision(revision.id, revision.version))
    );
  }

  @Authorized()
  @Query(() => Viewer, { description: 'The token this request is made with: who it acts as and what it may do.' })
  me(@Ctx() ctx: GraphQLContext): Viewer {
    const role = ctx.principal!.role;
    return { ...actorOf(ctx), role, permissions: permissionsOf(role) };
  }
}

@Resolver(() => BouncePatternRevision)
export class BouncePatternRevisionResolver {
  @FieldResolver(() => ID, { description: 'The revision: `<patternId>@<version>`.' })
  id(@Root() row: BouncePatternRow): string {
    return revisionId(row.id, row.version);
  }

  @FieldResolver(() => ID, { description: 'The id of the pattern this is a revision of.' })
  patternId(@Root() row: BouncePatternRow): string {
    return row.id;
  }
}

@Resolver(() => IspRevision)
export class IspRevisionResolver {
  @FieldResolver(() => ID, { description: 'The revision: `<ispId>@<version>`.' })
  id(@Root() row: IspRow): string {
    return revisionId(row.id, row.version);
  }

  @FieldResolver(() => ID, { description: 'The id of the ISP this is a revision of.' })
  ispId(@Root() row: IspRow): string {
    return row.id;
  }
}
