import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { authChecker } from './auth.js';
import { ApiTokenResolver } from './resolvers/apiTokenResolver.js';
import { AuditResolver } from './resolvers/auditResolver.js';
import { BouncePatternResolver } from './resolvers/bouncePatternResolver.js';
import { ClassificationResolver } from './resolvers/classificationResolver.js';
import { IspResolver } from './resolvers/ispResolver.js';
import { HitBucketsResolver, PatternHitsResolver, StatisticsResolver } from './resolvers/statisticsResolver.js';

export const RESOLVERS = [
  BouncePatternResolver,
  IspResolver,
  ClassificationResolver,
  ApiTokenResolver,
  AuditResolver,
  StatisticsResolver,
  PatternHitsResolver,
  HitBucketsResolver,
] as const;

export function buildBouncePatternsSchema(): Promise<GraphQLSchema> {
  // Input checks live in the domain (validation.ts), so class-validator is not used.
  return buildSchema({ resolvers: RESOLVERS, validate: false, authChecker, authMode: 'error' });
}
