import { requirePermission, type Role } from '../domain/access.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../domain/errors.js';
import { compilePattern } from '../domain/regex.js';
import type { SampledReply } from '../domain/recentSample.js';
import { suggestPattern } from '../domain/replyTemplate.js';
import type { BounceType, BouncePatternFields } from '../domain/types.js';
import { BOUNCE_PATTERN_FIELDS, validateFields } from '../domain/validation.js';
import { explainClassification, type Explanation } from '../../projections/explain.js';
import {
  CompiledMatcher,
  compileMatcher,
  type Classification,
  type ClassifyRequest,
  type MatchedBy,
  type MatcherRule,
} from '../../projections/matcher.js';
import type { UnmatchedGroup } from '../statistics/port.js';
import type { Statistics } from '../statistics/statistics.js';
import type { Audit } from './audit.js';
import { paginate, type Page } from './pagination.js';
import type { ProjectionRunner } from './projectionRunner.js';
import type { AsOf } from './timeTravel.js';

export const RULE_CHANGE_KINDS = ['CREATE', 'EDIT', 'DELETE', 'ENABLE', 'DISABLE'] as const;
export type RuleChangeKind = (typeof RULE_CHANGE_KINDS)[number];

/** A proposed change to the rules, previewed without writing. */
export interface RuleChange {
  readonly kind: RuleChangeKind;
  /** The pattern to change (not for CREATE). */
  readonly id?: string | null;
  /** CREATE: every field; EDIT: the fields to change. */
  readonly fields?: Partial<BouncePatternFields> | null;
  /** The version the change was decided on (an edit's dry run): a stale one is a conflict. */
  readonly expectedVersion?: number;
}

export interface VerdictMove {
  readonly from: { type: BounceType; matchedBy: MatchedBy; patternId: string | null; patternName: string | null };
  readonly to: { type: BounceType; matchedBy: MatchedBy; patternId: string | null; patternName: string | null };
  /** Sampled templates that move. */
  readonly templates: number;
  /** Occurrences of those templates in the sample. */
  readonly occurrences: number;
  /** Up to three masked templates that move. */
  readonly examples: readonly string[];
}

export interface RuleChangePreview {
  readonly sampledTemplates: number;
  readonly sampledOccurrences: number;
  readonly movedOccurrences: number;
  readonly moves: readonly VerdictMove[];
  /** The rules the preview started from. */
  readonly rulesetVersion: bigint | null;
}

export interface UnmatchedFilter {
  readonly ispId?: string | null;
  readonly type?: BounceType | null;
  readonly search?: string | null;
  readonly seenSince?: Date | null;
}

export interface UnmatchedReply extends UnmatchedGroup {
  /** The template escaped, its masked parts as wildcards: a pattern to try with testPattern. */
  readonly suggestedPattern: string;
}

/** Groups read per unmatched page request: the list is sorted by count, so the long tail is cut. */
const UNMATCHED_READ_LIMIT = 10_000;
const MAX_CHANGES = 100;
/** What createBouncePattern assumes for the fields left out. */
const CREATE_DEFAULTS: Partial<BouncePatternFields> = { ispId: null, message: '', priority: 100, enabled: true };
const EXAMPLES_PER_MOVE = 3;

/**
 * What the rules do on real traffic: explain one verdict, list the replies no rule caught, and preview
 * a change on the recent sample. Reads only: nothing here appends to the log.
 */
export class Insight {
  constructor(
    private readonly runner: ProjectionRunner,
    private readonly audit: Audit,
    private readonly statistics: Statistics,
  ) {}

  async explain(request: ClassifyRequest, asOf: AsOf | null, role: Role | null): Promise<Explanation> {
    if (asOf === null) return explainClassification(this.liveMatcher(), this.runner.model.patterns(), request);
    requirePermission(role, 'readAudit', 'explainClassification asOf reads the audit trail');
    const [matcher, { patterns }] = await Promise.all([
      this.audit.matcherAsOf(asOf),
      this.audit.bouncePatternsAsOf(asOf),
    ]);
    return explainClassification(asCompiled(matcher), patterns, request);
  }

  async unmatched(filter: UnmatchedFilter, page: { first?: number | null; after?: string | null }) {
    if (filter.search && filter.search.length > 200)
      throw new ValidationError('filter.search', 'must be at most 200 characters');
    const groups = await this.statistics.store.unmatched({
      ispId: filter.ispId,
      type: filter.type,
      search: filter.search,
      seenSince: filter.seenSince?.getTime() ?? null,
      limit: UNMATCHED_READ_LIMIT,
    });
    const withSuggestion: UnmatchedReply[] = groups.map((g) => ({
      ...g,
      suggestedPattern: suggestPattern(g.template),
    }));
    return paginate(withSuggestion, (g) => [-g.count, g.key], page) satisfies Page<UnmatchedReply>;
  }

  /**
   * Re-classifies the recent sample under the rules with `changes` applied, writing nothing. Only the
   * templates a changed rule's old or new regex matches can move, so only those are classified twice.
   */
  async preview(changes: readonly RuleChange[]): Promise<RuleChangePreview> {
    if (changes.length === 0 || changes.length > MAX_CHANGES)
      throw new ValidationError('changes', `must hold from 1 to ${MAX_CHANGES} changes`);
    const current = this.liveMatcher();
    const model = this.runner.model;
    const rules = new Map<string, MatcherRule>(model.patterns().map((row) => [row.id, row]));
    const touched: string[] = [];
    const regexes = new Map<string, ReturnType<typeof compilePattern>>();
    const watch = (rule: MatcherRule | undefined) => {
      if (rule !== undefined && !regexes.has(rule.pattern)) regexes.set(rule.pattern, compilePattern(rule.pattern));
    };
    let nextPosition = (model.position ?? 0n) + 1n;
    changes.forEach((change, i) => {
      const field = `changes[${i}]`;
      if (change.kind === 'CREATE') {
        const fields = validateFields(
          BOUNCE_PATTERN_FIELDS,
          { ...CREATE_DEFAULTS, ...change.fields },
          { complete: true },
        );
        this.requireIsp(fields.ispId, `${field}.fields.ispId`);
        const id = `proposed-${i + 1}`;
        rules.set(id, { ...fields, id, createdPosition: nextPosition++ });
        touched.push(id);
        watch(rules.get(id));
        return;
      }
      const id = change.id ?? '';
      const rule = rules.get(id);
      if (rule === undefined) throw new NotFoundError('BouncePattern', id);
      const version = model.pattern(id)!.version;
      if (change.expectedVersion !== undefined && change.expectedVersion !== version)
        throw new ConflictError(
          `bounce pattern ${id} is at version ${version}, not ${change.expectedVersion}`,
          version,
        );
      watch(rule);
      touched.push(id);
      if (change.kind === 'DELETE') {
        if (model.pattern(id)?.origin === 'DEFAULT')
          throw new ForbiddenError('default bounce patterns cannot be deleted; disable the pattern instead');
        rules.delete(id);
      } else if (change.kind === 'EDIT') {
        const fields = validateFields(BOUNCE_PATTERN_FIELDS, change.fields ?? {});
        if (fields.ispId) this.requireIsp(fields.ispId, `${field}.fields.ispId`);
        rules.set(id, { ...rule, ...fields });
        watch(rules.get(id));
      } else rules.set(id, { ...rule, enabled: change.kind === 'ENABLE' });
    });
    const proposed = compileMatcher(rules.values(), model.liveIsps(), model.position, current);
    const sample = await this.statistics.store.sample(this.statistics.sampleCapacity);
    return compare(sample, current, proposed, [...regexes.values()], current.rulesetVersion);
  }

  private liveMatcher(): CompiledMatcher {
    return asCompiled(this.runner.matcher);
  }

  private requireIsp(ispId: string | null, field: string): void {
    if (ispId !== null && !this.runner.model.isp(ispId)) throw new ValidationError(field, `no ISP with id ${ispId}`);
  }
}

function asCompiled(matcher: unknown): CompiledMatcher {
  if (!(matcher instanceof CompiledMatcher)) throw new Error('the rules are not compiled');
  return matcher;
}

function compare(
  sample: readonly SampledReply[],
  before: CompiledMatcher,
  after: CompiledMatcher,
  regexes: readonly { test(text: string): boolean }[],
  rulesetVersion: bigint | null,
): RuleChangePreview {
  const moves = new Map<string, VerdictMove & { examples: string[] }>();
  let occurrences = 0;
  let moved = 0;
  for (const entry of sample) {
    occurrences += entry.count;
    if (!regexes.some((regex) => regex.test(entry.template))) continue;
    const request = { reply: entry.template, ispId: entry.ispId };
    const was = before.classify(request);
    const will = after.classify(request);
    if (was.type === will.type && was.matchedBy === will.matchedBy && was.rule?.id === will.rule?.id) continue;
    moved += entry.count;
    const key = [was.type, was.matchedBy, was.rule?.id, will.type, will.matchedBy, will.rule?.id].join('\u0000');
    const move = moves.get(key) ?? {
      from: side(was),
      to: side(will),
      templates: 0,
      occurrences: 0,
      examples: [],
    };
    moves.set(key, {
      ...move,
      templates: move.templates + 1,
      occurrences: move.occurrences + entry.count,
      examples: move.examples.length < EXAMPLES_PER_MOVE ? [...move.examples, entry.template] : move.examples,
    });
  }
  return {
    sampledTemplates: sample.length,
    sampledOccurrences: occurrences,
    movedOccurrences: moved,
    moves: [...moves.values()].sort((a, b) => b.occurrences - a.occurrences),
    rulesetVersion,
  };
}

const side = (verdict: Classification) => ({
  type: verdict.type,
  matchedBy: verdict.matchedBy,
  patternId: verdict.rule?.id ?? null,
  patternName: verdict.rule?.name ?? null,
});
