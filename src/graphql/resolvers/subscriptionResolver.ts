import { Arg, Ctx, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { SubscribeResolverData } from 'type-graphql';
import { auditFilter } from '../../app/audit.js';
import { requirePermission, type Permission } from '../../domain/access.js';
import { unauthenticated } from '../auth.js';
import type { MessageOf, Topic } from '../changeFeed.js';
import type { GraphQLContext } from '../context.js';
import { AuditEntry, AuditLogFilter } from '../types/audit.js';
import { BouncePatternChange, IspChange, RulesetChange } from '../types/changes.js';

/**
 * A subscription's source: refused at subscribe time without a token or the permission, then the
 * feed's messages of one topic that pass `accept`.
 */
const subscribeTo =
  <T extends Topic>(
    topic: T,
    permission: Permission,
    accept?: (message: MessageOf<T>, args: Record<string, unknown>) => boolean,
  ) =>
  ({ args, context }: SubscribeResolverData<unknown, Record<string, unknown>, GraphQLContext>) => {
    if (!context.principal) throw unauthenticated();
    requirePermission(context.principal.role, permission, `the ${topic} subscription`);
    return context.feed.subscribe(topic, accept && ((message) => accept(message, args)), context.disconnect);
  };

@Resolver()
export class SubscriptionResolver {
  @Subscription(() => BouncePatternChange, {
    subscribe: subscribeTo(
      'bouncePatternChanged',
      'readRules',
      (message, args) => !args.id || message.patternId === args.id,
    ),
    description: 'Every change of a bounce pattern (or of one, with `id`), once this replica serves it.',
  })
  bouncePatternChanged(
    @Root() message: MessageOf<'bouncePatternChanged'>,
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID, { nullable: true, description: 'Only this pattern.' }) _id?: string,
  ) {
    const { event } = message;
    return {
      pattern: ctx.services.bouncePatterns.get(message.patternId),
      eventType: event.type,
      position: event.position,
    };
  }

  @Subscription(() => IspChange, {
    subscribe: subscribeTo('ispChanged', 'readRules', (message, args) => !args.id || message.ispId === args.id),
    description: 'Every change of an ISP (or of one, with `id`), once this replica serves it.',
  })
  ispChanged(
    @Root() message: MessageOf<'ispChanged'>,
    @Ctx() ctx: GraphQLContext,
    @Arg('id', () => ID, { nullable: true, description: 'Only this ISP.' }) _id?: string,
  ) {
    const { event } = message;
    return {
      isp: ctx.services.isps.getIncludingDeleted(message.ispId),
      eventType: event.type,
      position: event.position,
    };
  }

  @Subscription(() => RulesetChange, {
    subscribe: subscribeTo('rulesetChanged', 'classify'),
    description: 'The rules classify answers with changed on this replica: its new rulesetVersion (for MTAs).',
  })
  rulesetChanged(@Root() message: MessageOf<'rulesetChanged'>): RulesetChange {
    return { rulesetVersion: message.rulesetVersion };
  }

  @Subscription(() => AuditEntry, {
    subscribe: subscribeTo('auditEntryAdded', 'readAudit', (message, args) =>
      auditFilter((args.filter as AuditLogFilter | undefined) ?? {})(message.entry),
    ),
    description: 'Each new entry of the audit log that passes the filter, in log order.',
  })
  auditEntryAdded(
    @Root() message: MessageOf<'auditEntryAdded'>,
    @Arg('filter', () => AuditLogFilter, { nullable: true, description: 'Which entries; absent: all.' })
    _filter?: AuditLogFilter,
  ) {
    return message.entry;
  }
}
