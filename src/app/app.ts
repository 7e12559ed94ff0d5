import type { EventStore } from '../eventstore/port.js';
import { ApiTokens } from './apiTokens.js';
import { Audit } from './audit.js';
import { BouncePatterns } from './bouncePatterns.js';
import { Classifier } from './classifier.js';
import type { Clock } from './commandHandler.js';
import { Isps } from './isps.js';
import { ProjectionRunner } from './projectionRunner.js';
import { seedDefaults } from './seedDefaults.js';
import { Insight } from './insight.js';
import { MemoryStatisticsStore } from '../statistics/memory.js';
import type { StatisticsStore } from '../statistics/port.js';
import { Statistics, type StatisticsOptions } from '../statistics/statistics.js';
import { ShippedDefaults } from './shippedDefaults.js';
import { type DefaultsRelease, SHIPPED_DEFAULTS } from '../domain/defaults/release.js';

export interface AppOptions {
  readonly clock?: Clock;
  /** Install the shipped defaults on start (on by default; tests of an empty rule set turn it off). */
  readonly seed?: boolean;
  /** The defaults this release ships (tests of upgrades pass their own releases). */
  readonly defaults?: DefaultsRelease;
  /** The first admin token's secret (BOOTSTRAP_ADMIN_TOKEN); without it one is generated once. */
  readonly bootstrapAdminToken?: string | null;
  /** Where hit counts, unmatched replies and the sample are kept (default: memory, lost on restart). */
  readonly statisticsStore?: StatisticsStore;
  readonly statistics?: Partial<StatisticsOptions>;
}

/** The application over one event store: projections, command services, the classifier. */
export class App {
  readonly runner: ProjectionRunner;
  readonly bouncePatterns: BouncePatterns;
  readonly isps: Isps;
  readonly classifier: Classifier;
  readonly audit: Audit;
  readonly apiTokens: ApiTokens;
  readonly statistics: Statistics;
  readonly insight: Insight;
  readonly shippedDefaults: ShippedDefaults;
  private readonly options: AppOptions;

  constructor(
    readonly store: EventStore,
    options: AppOptions = {},
  ) {
    this.options = options;
    this.runner = new ProjectionRunner(store);
    const deps = { store, runner: this.runner, clock: options.clock ?? (() => new Date()) };
    this.bouncePatterns = new BouncePatterns(deps, (id) => this.statistics.patternHits(id));
    this.isps = new Isps(deps);
    this.audit = new Audit(store, this.runner);
    this.classifier = new Classifier(this.runner, this.audit);
    this.apiTokens = new ApiTokens(deps);
    this.statistics = new Statistics(options.statisticsStore ?? new MemoryStatisticsStore(), options.statistics);
    this.classifier.onClassified((request, verdict) => this.statistics.record(request, verdict));
    this.insight = new Insight(this.runner, this.audit, this.statistics);
    this.shippedDefaults = new ShippedDefaults(options.defaults ?? SHIPPED_DEFAULTS, this.bouncePatterns, this.runner);
  }

  /**
   * Catches the projections up with the log, brings the defaults to this release and the first admin token.
   * Returns that token's secret when it was generated now: it is shown once and never stored.
   */
  async start(): Promise<{ generatedAdminToken: string | null }> {
    await this.runner.start();
    await this.statistics.loadTotals();
    this.statistics.start();
    if (this.options.seed ?? true)
      await seedDefaults(this.runner, this.isps, this.bouncePatterns, this.shippedDefaults.defaults);
    return { generatedAdminToken: await this.apiTokens.bootstrap(this.options.bootstrapAdminToken ?? null) };
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    await this.statistics.stop();
    await this.statistics.store.close();
    await this.store.close();
  }
}
