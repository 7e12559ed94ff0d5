import { requirePermission, type Role } from '../domain/access.js';
import { TimeBudgetError, ValidationError } from '../domain/errors.js';
import { LIMITS } from '../domain/limits.js';
import { compilePattern } from '../domain/regex.js';
import { normaliseReply } from '../domain/reply.js';
import type { Classification, ClassifyRequest, Matcher } from '../../projections/matcher.js';
import type { Audit } from './audit.js';
import { patternWarnings } from './bouncePatterns.js';
import type { ProjectionRunner } from './projectionRunner.js';
import type { AsOf } from './timeTravel.js';

export interface PatternTrial {
  readonly reply: string;
  /** Whether the pattern under test matches this reply. */
  readonly matches: boolean;
  /** What classify answers for this reply today, with the rules as they are. */
  readonly current: Classification;
}

function checkRequest(request: ClassifyRequest): void {
  if (request.recipient && request.recipient.length > LIMITS.domainLength + 65)
    throw new ValidationError('recipient', 'is longer than any e-mail address can be');
}

/** Hears every verdict given with the live rules (statistics, metrics); must be cheap and never throw. */
export type ClassifiedListener = (request: ClassifyRequest, verdict: Classification) => void;

/** The MTA's questions, answered from the compiled matcher the runner keeps current. */
export class Classifier {
  private readonly listeners: ClassifiedListener[] = [];

  constructor(
    private readonly runner: ProjectionRunner,
    private readonly audit: Audit,
  ) {}

  /** Adds a listener of the verdicts given with the live rules (not those of a past moment). */
  onClassified(listener: ClassifiedListener): void {
    this.listeners.push(listener);
  }

  /** With the live rules: synchronous, so the MTA's hot path pays for no promise. */
  classify(request: ClassifyRequest, matcher?: Matcher): Classification {
    checkRequest(request);
    const verdict = (matcher ?? this.runner.matcher).classify(request);
    if (matcher === undefined) for (const listener of this.listeners) listener(request, verdict);
    return verdict;
  }

  /** With the rules of a past moment: that reads the audit trail, so it needs its permission. */
  async classifyAsOf(request: ClassifyRequest, asOf: AsOf, role: Role | null): Promise<Classification> {
    requirePermission(role, 'readAudit', 'classify asOf reads the audit trail');
    return this.classify(request, await this.audit.matcherAsOf(asOf));
  }

  classifyBatch(requests: readonly ClassifyRequest[]): Promise<Classification[]> {
    if (requests.length > LIMITS.classifyBatchSize)
      throw new ValidationError('items', `must hold at most ${LIMITS.classifyBatchSize} replies`);
    // Every reply is checked before any is answered, so a refused batch counts nothing.
    for (const request of requests) checkRequest(request);
    return mapWithinBudget('classifyBatch', requests, (request) => this.classify(request));
  }

  /** Which samples a pattern would catch before it is saved, and what catches each of them today. */
  async testPattern(pattern: string, ispId: string | null, samples: readonly string[]) {
    if (samples.length > 100) throw new ValidationError('samples', 'must hold at most 100 replies');
    const regex = compilePattern(pattern);
    const trials: PatternTrial[] = await mapWithinBudget('testPattern', samples, (reply) => ({
      reply,
      matches: regex.test(normaliseReply(reply)),
      current: this.runner.matcher.classify({ reply, ispId }),
    }));
    return { trials, warnings: patternWarnings(pattern) };
  }
}

/** What a batch may take in all, and how long it may hold the event loop before letting others in. */
export const BATCH_TIME = { budgetMs: 2_000, sliceMs: 10 } as const;

/**
 * Maps the items in slices of at most BATCH_TIME.sliceMs, yielding to other requests between them
 * (a small batch runs in one slice, with no wait); past BATCH_TIME.budgetMs in all, it is refused.
 */
async function mapWithinBudget<T, R>(what: string, items: readonly T[], map: (item: T) => R): Promise<R[]> {
  const started = performance.now();
  let sliceStarted = started;
  const results: R[] = [];
  for (const item of items) {
    results.push(map(item));
    const now = performance.now();
    if (now - started > BATCH_TIME.budgetMs)
      throw new TimeBudgetError(
        `${what} stopped after ${results.length} of ${items.length} replies: over its time budget of ${BATCH_TIME.budgetMs} ms; send fewer per request`,
      );
    if (now - sliceStarted > BATCH_TIME.sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      sliceStarted = performance.now();
    }
  }
  return results;
}
