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

/**
 * Reads below the top level, by `Type.field` (`Type.*`: every other field of the type). A classify
 * verdict names the revision of the pattern and the ISP it used to every role that may classify, so
 * the MTA can trace it; what else they hold is a read of the rules. Checked on the document before it
 * runs (limits.ts), so lists pay nothing per field.
 */
export const NESTED_READS: Readonly<Record<string, Permission | null>> = {
  'BouncePatternRevision.*': 'readRules',
  'BouncePatternRevision.id': null,
  'BouncePatternRevision.patternId': null,
  'BouncePatternRevision.version': null,
  'BouncePatternRevision.name': null,
  'BouncePatternRevision.type': null,
  'BouncePatternRevision.message': null,
  'IspRevision.*': 'readRules',
  'IspRevision.id': null,
  'IspRevision.ispId': null,
  'IspRevision.version': null,
  'IspRevision.name': null,
  'BouncePattern.history': 'readAudit',
  'Isp.history': 'readAudit',
};

/** The permission a nested read of `type.field` needs beyond reaching it; null: none. */
export function nestedPermission(type: string, field: string): Permission | null {
  const key = `${type}.${field}`;
  return (key in NESTED_READS ? NESTED_READS[key] : NESTED_READS[`${type}.*`]) ?? null;
}
