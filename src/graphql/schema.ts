import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './auth.js';
import { ApiTokenResolver } from './resolvers/apiTokenResolver.js';
import { AuditResolver } from './resolvers/auditResolver.js';
import { BounceMessageResolver } from './resolvers/bounceMessageResolver.js';
import { BouncePatternResolver } from './resolvers/bouncePatternResolver.js';
import { ClassificationResolver } from './resolvers/classificationResolver.js';
import { IspResolver } from './resolvers/ispResolver.js';
import { SubscriptionResolver } from './resolvers/subscriptionResolver.js';
import { HitBucketsResolver, PatternHitsResolver, StatisticsResolver } from './resolvers/statisticsResolver.js';
import { BouncePatternRevisionResolver, IspRevisionResolver, NodeResolver } from './resolvers/nodeResolver.js';
import { ShippedDefaultResolver } from './resolvers/shippedDefaultResolver.js';

export const RESOLVERS = [
  BouncePatternResolver,
  IspResolver,
  ClassificationResolver,
  ApiTokenResolver,
  AuditResolver,
  StatisticsResolver,
  PatternHitsResolver,
  HitBucketsResolver,
  NodeResolver,
  BouncePatternRevisionResolver,
  IspRevisionResolver,
  ShippedDefaultResolver,
  SubscriptionResolver,
  BounceMessageResolver,
] as const;

const noTopics = (): never => {
  throw new Error('subscriptions read the change feed, not topics');
};

export async function buildBouncePatternsSchema(): Promise<GraphQLSchema> {
  // Input checks live in the domain (validation.ts), so class-validator is not used.
  const schema = await buildSchema({
    resolvers: RESOLVERS,
    validate: false,
    authChecker,
    authMode: 'error',
    // Every subscription has its own `subscribe` on the change feed; type-graphql still asks for a pub/sub.
    pubSub: { publish: noTopics, subscribe: noTopics },
  });
  // type-graphql names the root types without a description.
  schema.getQueryType()!.description = 'What can be read: the rules, verdicts, the audit trail.';
  schema.getMutationType()!.description = 'What can be changed: each change is an event in the log.';
  schema.getSubscriptionType()!.description = 'What changes, as it happens (graphql-ws over WebSocket on /graphql).';
  return schema;
}
