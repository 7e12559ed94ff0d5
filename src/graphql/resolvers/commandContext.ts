import { commandContextOf, type CommandContext } from '../../app/commandHandler.js';
import { actorOf } from '../auth.js';
import type { GraphQLContext } from '../context.js';
import type { MutationArgs } from '../types/args.js';

/** The command metadata of a mutation: who sent it, the request's correlation id, why, and its key. */
export const commandContext = (ctx: GraphQLContext, args: MutationArgs): CommandContext =>
  commandContextOf({ actor: actorOf(ctx), correlationId: ctx.correlationId, ...args });
