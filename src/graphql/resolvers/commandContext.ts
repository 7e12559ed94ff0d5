import { commandContextOf, type CommandContext } from '../../app/commandHandler.js';
import { actorOf } from '../auth.js';
import type { GraphQLContext } from '../context.js';
import type { MutationArgs } from '../types/args.js';

/** The command metadata of a mutation: who sent it, the request's correlation id, why, and its key. */
export const commandContext = (ctx: GraphQLContext, args: MutationArgs): CommandContext =>
  commandContextOf({ actor: actorOf(ctx), correlationId: ctx.correlationId, ...args });

/**
 * An edit input's fields as changes: absent or null leaves a field as it is, except for the fields
 * where null is a value (`ispId: null` moves a pattern to all ISPs).
 */
export function changesOf<T extends object, N extends keyof T = never>(
  input: T,
  nullMeans: readonly N[] = [],
): { [K in keyof T]?: K extends N ? T[K] : NonNullable<T[K]> } {
  return Object.fromEntries(
    Object.entries(input).filter(
      ([key, value]) => value !== undefined && (value !== null || (nullMeans as readonly PropertyKey[]).includes(key)),
    ),
  ) as { [K in keyof T]?: K extends N ? T[K] : NonNullable<T[K]> };
}
