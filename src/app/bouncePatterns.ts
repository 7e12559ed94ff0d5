import { bouncePatternDecider } from '../domain/bouncePattern.js';
import { ValidationError } from '../domain/errors.js';
import { LIMITS } from '../domain/limits.js';
import { byRuleOrder } from '../domain/ruleOrder.js';
import { bouncePatternStream } from '../domain/streams.js';
import type { BounceType, BouncePatternFields, Origin } from '../domain/types.js';
import type { BouncePatternRow } from '../../projections/bouncePatternList.js';
import { analysePattern } from '../../projections/matcher.js';
import { CommandHandler, type CommandContext, type CommandDeps, type CommandOutcome } from './commandHandler.js';
import { aggregateIdFor } from './ids.js';
import { patternGuard } from './reservations.js';
import { paginate, type Page, type SortKey } from './pagination.js';

export interface BouncePatternFilter {
  type?: BounceType | null;
  ispId?: string | null;
  /** true: only All-ISPs patterns; false: only ISP-specific ones. */
  allIsps?: boolean | null;
  origin?: Origin | null;
  enabled?: boolean | null;
  /** Case-insensitive text in the name, pattern or message. */
  search?: string | null;
  /** Only patterns hit at or after this moment. */
  hitSince?: Date | null;
  /** Only patterns not hit since this moment (never hit included). */
  notHitSince?: Date | null;
  /** true: the trash (deleted patterns, which can be restored); false or absent: the live patterns. */
  deleted?: boolean | null;
}

/** A pattern's hits as the statistics know them. */
export type HitsOf = (id: string) => { total: number; lastHitAt: number | null };

export const BOUNCE_PATTERN_ORDER_FIELDS = [
  'PRIORITY',
  'NAME',
  'TYPE',
  'CREATED_AT',
  'UPDATED_AT',
  'HITS',
  'LAST_HIT',
] as const;
export type BouncePatternOrderField = (typeof BOUNCE_PATTERN_ORDER_FIELDS)[number];
export interface BouncePatternOrder {
  field: BouncePatternOrderField;
  direction: 'ASC' | 'DESC';
}

const sortKeys: Record<BouncePatternOrderField, (row: BouncePatternRow, hitsOf: HitsOf) => SortKey> = {
  // The order classify tries patterns in (byRuleOrder) as a cursor key.
  PRIORITY: (row) => [row.priority, Number(row.createdPosition), row.id],
  NAME: (row) => [row.name.toLowerCase(), row.id],
  TYPE: (row) => [row.type, row.priority, row.id],
  CREATED_AT: (row) => [Number(row.createdPosition), row.id],
  UPDATED_AT: (row) => [row.updatedAt, row.id],
  HITS: (row, hitsOf) => [hitsOf(row.id).total, row.id],
  LAST_HIT: (row, hitsOf) => [hitsOf(row.id).lastHitAt ?? 0, row.id],
};

function matchesFilter(row: BouncePatternRow, filter: BouncePatternFilter, hitsOf: HitsOf): boolean {
  const lastHitAt = filter.hitSince || filter.notHitSince ? (hitsOf(row.id).lastHitAt ?? -Infinity) : 0;
  if (filter.hitSince && lastHitAt < filter.hitSince.getTime()) return false;
  if (filter.notHitSince && lastHitAt >= filter.notHitSince.getTime()) return false;
  if (filter.type && row.type !== filter.type) return false;
  if (filter.ispId && row.ispId !== filter.ispId) return false;
  if (filter.allIsps !== undefined && filter.allIsps !== null && (row.ispId === null) !== filter.allIsps) return false;
  if (filter.origin && row.origin !== filter.origin) return false;
  if (filter.enabled !== undefined && filter.enabled !== null && row.enabled !== filter.enabled) return false;
  if (filter.search) {
    const needle = filter.search.toLowerCase();
    return [row.name, row.pattern, row.message].some((text) => text.toLowerCase().includes(needle));
  }
  return true;
}

export function patternWarnings(pattern: string): string[] {
  return analysePattern(pattern).indexed
    ? []
    : [
        'The pattern has no literal text to index, so it is tried on every reply classify sees; add a word it must contain.',
      ];
}

/** A command's outcome on a pattern, with advice on what was saved. */
export type PatternOutcome = CommandOutcome<BouncePatternRow> & { readonly warnings: readonly string[] };

/** Commands and queries on bounce patterns; rules that span aggregates are checked here. */
export class BouncePatterns {
  private readonly handle;

  constructor(
    private readonly deps: CommandDeps,
    private readonly hitsOf: HitsOf = () => ({ total: 0, lastHitAt: null }),
  ) {
    this.handle = CommandHandler(deps, {
      entity: 'BouncePattern',
      decider: bouncePatternDecider,
      streamOf: bouncePatternStream,
      rowOf: (model, id) => model.patternRow(id),
      guard: patternGuard(deps.store),
    });
  }

  /** A pattern, live or in the trash (`deleted`). */
  get(id: string): BouncePatternRow | undefined {
    return this.deps.runner.model.patternRow(id);
  }

  list(
    filter: BouncePatternFilter = {},
    order: BouncePatternOrder = { field: 'PRIORITY', direction: 'ASC' },
    page: { first?: number | null; after?: string | null } = {},
  ): Page<BouncePatternRow> {
    if (filter.search && filter.search.length > LIMITS.searchLength)
      throw new ValidationError('filter.search', `must be at most ${LIMITS.searchLength} characters`);
    const { model } = this.deps.runner;
    const rows = (filter.deleted ? model.deletedPatterns() : model.patterns()).filter((row) =>
      matchesFilter(row, filter, this.hitsOf),
    );
    return paginate(rows, (row) => sortKeys[order.field](row, this.hitsOf), {
      ...page,
      descending: order.direction === 'DESC',
    });
  }

  /** The most patterns any one ISP has now: what a page of ISPs with their patterns can hold. */
  largestIspPatternCount(): number {
    const counts = new Map<string, number>();
    for (const row of this.deps.runner.model.patterns())
      if (row.ispId !== null) counts.set(row.ispId, (counts.get(row.ispId) ?? 0) + 1);
    return Math.max(0, ...counts.values());
  }

  /** The patterns of each ISP, in classification order, found in one pass. */
  byIsps(ispIds: readonly string[]): BouncePatternRow[][] {
    const byIsp = new Map<string, BouncePatternRow[]>(ispIds.map((id) => [id, []]));
    for (const row of this.deps.runner.model.patterns()) if (row.ispId !== null) byIsp.get(row.ispId)?.push(row);
    return ispIds.map((id) => byIsp.get(id)!.sort(byRuleOrder));
  }

  async create(
    fields: BouncePatternFields,
    context: CommandContext,
    origin: Origin = 'CUSTOM',
    id = aggregateIdFor(context.commandId),
  ): Promise<PatternOutcome> {
    this.requireIsp(fields.ispId);
    const outcome = await this.handle(id, { type: 'CreateBouncePattern', patternId: id, origin, fields }, context);
    return { ...outcome, warnings: patternWarnings(fields.pattern) };
  }

  async edit(
    id: string,
    expectedVersion: number,
    changes: Partial<BouncePatternFields>,
    context: CommandContext,
  ): Promise<PatternOutcome> {
    if (changes.ispId) this.requireIsp(changes.ispId);
    const outcome = await this.handle(
      id,
      { type: 'EditBouncePattern', patternId: id, expectedVersion, changes },
      context,
    );
    return { ...outcome, warnings: changes.pattern === undefined ? [] : patternWarnings(changes.pattern) };
  }

  delete(id: string, expectedVersion: number, context: CommandContext) {
    return this.handle(id, { type: 'DeleteBouncePattern', patternId: id, expectedVersion }, context);
  }

  revert(id: string, toVersion: number, expectedVersion: number | undefined, context: CommandContext) {
    return this.handle(id, { type: 'RevertBouncePattern', patternId: id, toVersion, expectedVersion }, context);
  }

  restore(id: string, expectedVersion: number | undefined, context: CommandContext) {
    return this.handle(id, { type: 'RestoreBouncePattern', patternId: id, expectedVersion }, context);
  }

  /** Brings a default to the fields a release ships; `unlessEdited` leaves one an operator changed alone. */
  takeShipped(
    id: string,
    shipped: { release: string; fields: BouncePatternFields; unlessEdited: boolean },
    expectedVersion: number | undefined,
    context: CommandContext,
  ) {
    const { release, fields, unlessEdited } = shipped;
    return this.handle(
      id,
      { type: 'TakeShippedBouncePattern', patternId: id, expectedVersion, release, shipped: fields, unlessEdited },
      context,
    );
  }

  private requireIsp(ispId: string | null): void {
    if (ispId !== null && !this.deps.runner.model.isp(ispId))
      throw new ValidationError('ispId', `no ISP with id ${ispId}`);
  }
}
