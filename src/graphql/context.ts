import DataLoader from 'dataloader';
import type { ApiTokens, Principal } from '../app/apiTokens.js';
import type { Audit } from '../app/audit.js';
import type { BouncePatterns } from '../app/bouncePatterns.js';
import type { Classifier } from '../app/classifier.js';
import type { Insight } from '../app/insight.js';
import type { Isps } from '../app/isps.js';
import type { Statistics } from '../statistics/statistics.js';
import type { ProjectionRunner } from '../app/projectionRunner.js';
import type { ChangeFeed } from './changeFeed.js';
import type { ShippedDefaults } from '../app/shippedDefaults.js';
import type { BouncePatternRow } from '../../projections/bouncePatternList.js';
import type { IspRow } from '../../projections/ispDirectory.js';

export interface Services {
  readonly bouncePatterns: BouncePatterns;
  readonly isps: Isps;
  readonly apiTokens: ApiTokens;
  readonly classifier: Classifier;
  readonly audit: Audit;
  readonly runner: ProjectionRunner;
  readonly statistics: Statistics;
  readonly insight: Insight;
  readonly shippedDefaults: ShippedDefaults;
}

export interface GraphQLContext {
  /** null: the request carried no valid credentials. */
  readonly principal: Principal | null;
  readonly correlationId: string;
  readonly services: Services;
  readonly loaders: Loaders;
  /** The changes subscriptions hear. */
  readonly feed: ChangeFeed;
  /** Over WebSocket: ends the connection with a reason (a subscriber too slow to keep up). */
  readonly disconnect?: (reason: string) => void;
}

export type Loaders = ReturnType<typeof createLoaders>;

/** Per-request loaders: a page of patterns resolves its ISPs in one lookup, not one per pattern. */
export function createLoaders(services: Services) {
  return {
    isp: new DataLoader<string, IspRow | null>(async (ids) => services.isps.getMany(ids).map((row) => row ?? null)),
    patternsByIsp: new DataLoader<string, BouncePatternRow[]>(async (ispIds) => services.bouncePatterns.byIsps(ispIds)),
  };
}
