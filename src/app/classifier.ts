import { ValidationError } from '../domain/errors.js';
import { LIMITS } from '../domain/limits.js';
import { compilePattern } from '../domain/regex.js';
import { normaliseReply } from '../domain/reply.js';
import { analysePattern, type Classification, type ClassifyRequest, type Matcher } from '../../projections/matcher.js';
import type { ProjectionRunner } from './projectionRunner.js';

export interface PatternTrial {
  readonly reply: string;
  /** Whether the pattern under test matches this reply. */
  readonly matches: boolean;
  /** What classify answers for this reply today, with the rules as they are. */
  readonly current: Classification;
}

/** The MTA's questions, answered from the compiled matcher the runner keeps current. */
export class Classifier {
  constructor(private readonly runner: ProjectionRunner) {}

  /** With the live rules, or with the `matcher` of a past moment. */
  classify(request: ClassifyRequest, matcher: Matcher = this.runner.matcher): Classification {
    if (request.recipient && request.recipient.length > LIMITS.domainLength + 65)
      throw new ValidationError('recipient', 'is longer than any e-mail address can be');
    return matcher.classify(request);
  }

  classifyBatch(requests: readonly ClassifyRequest[]): Classification[] {
    if (requests.length > LIMITS.classifyBatchSize)
      throw new ValidationError('items', `must hold at most ${LIMITS.classifyBatchSize} replies`);
    return requests.map((request) => this.classify(request));
  }

  /** Which samples a pattern would catch before it is saved, and what catches each of them today. */
  testPattern(pattern: string, ispId: string | null, samples: readonly string[]) {
    if (samples.length > 100) throw new ValidationError('samples', 'must hold at most 100 replies');
    const regex = compilePattern(pattern);
    const trials: PatternTrial[] = samples.map((reply) => ({
      reply,
      matches: regex.test(normaliseReply(reply)),
      current: this.runner.matcher.classify({ reply, ispId }),
    }));
    return { trials, warnings: patternWarnings(pattern) };
  }
}

export function patternWarnings(pattern: string): string[] {
  return analysePattern(pattern).indexed
    ? []
    : [
        'The pattern has no literal text to index, so it is tried on every reply classify sees; add a word it must contain.',
      ];
}
