import { GraphQLError } from 'graphql';
import type { AuthChecker } from 'type-graphql';
import { allows, type Permission } from '../domain/access.js';
import type { Actor } from '../domain/types.js';
import type { GraphQLContext } from './context.js';

export const unauthenticated = () =>
  new GraphQLError('A valid API token is required: send "Authorization: Bearer <token>"', {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });

/** `@Authorized('editPatterns')`: the caller's role must hold every permission named. */
export const authChecker: AuthChecker<GraphQLContext, Permission> = ({ context }, permissions) => {
  if (!context.principal) throw unauthenticated();
  const { role } = context.principal;
  return permissions.every((permission) => allows(role, permission));
};

/** The actor of a request that passed the auth checker. */
export function actorOf(context: GraphQLContext): Actor {
  if (!context.principal) throw unauthenticated();
  return context.principal.actor;
}
