import type { CommandContext } from '../../app/commandHandler.js';
import { requireOptionalReason } from '../../domain/validation.js';
import { actorOf } from '../auth.js';
import type { GraphQLContext } from '../context.js';

/** The command metadata a mutation carries: who, the request's correlation id, and why. */
export const commandContext = (
  ctx: GraphQLContext,
  reason?: string | null,
  clientMutationId?: string | null,
): CommandContext => ({
  actor: actorOf(ctx),
  correlationId: ctx.correlationId,
  reason: requireOptionalReason(reason),
  // Scoped to the actor, so two clients cannot collide on the same key.
  commandId: clientMutationId ? `${actorOf(ctx).id}:${clientMutationId}` : undefined,
});

/** The optional `reason` argument every mutation takes. */
export const REASON = { nullable: true, description: 'Why the change is made; kept in the audit trail.' } as const;
