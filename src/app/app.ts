import type { EventStore } from '../eventstore/port.js';
import { BouncePatterns } from './bouncePatterns.js';
import { Classifier } from './classifier.js';
import type { Clock } from './commandHandler.js';
import { Isps } from './isps.js';
import { ProjectionRunner } from './projectionRunner.js';
import { seedDefaults } from './seedDefaults.js';

export interface AppOptions {
  readonly clock?: Clock;
  /** Install the shipped defaults on start (on by default; tests of an empty rule set turn it off). */
  readonly seed?: boolean;
}

/** The application over one event store: projections, command services, the classifier. */
export class App {
  readonly runner: ProjectionRunner;
  readonly bouncePatterns: BouncePatterns;
  readonly isps: Isps;
  readonly classifier: Classifier;
  private readonly options: AppOptions;

  constructor(
    readonly store: EventStore,
    options: AppOptions = {},
  ) {
    const clock = options.clock ?? (() => new Date());
    this.options = options;
    this.runner = new ProjectionRunner(store);
    this.bouncePatterns = new BouncePatterns(store, this.runner, clock);
    this.isps = new Isps(store, this.runner, clock);
    this.classifier = new Classifier(this.runner);
  }

  /** Catches the projections up with the log, then installs missing defaults. */
  async start(): Promise<void> {
    await this.runner.start();
    if (this.options.seed ?? true) await seedDefaults(this.runner, this.isps, this.bouncePatterns);
  }

  async stop(): Promise<void> {
    await this.runner.stop();
    await this.store.close();
  }
}
