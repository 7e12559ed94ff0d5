import { bouncePatternDecider, type BouncePatternCommand } from '../domain/bouncePattern.js';
import { NotFoundError, ValidationError } from '../domain/errors.js';
import { bouncePatternStream, type BounceType, type BouncePatternFields, type Origin } from '../domain/types.js';
import type { EventStore } from '../eventstore/port.js';
import type { BouncePatternRow } from '../../projections/bouncePatternList.js';
import { handleCommand, type Clock, type CommandContext } from './commandHandler.js';
import { aggregateIdFor } from './ids.js';
import { compareKeys, paginate, type Page, type SortKey } from './pagination.js';
import type { ProjectionRunner } from './projectionRunner.js';

export interface BouncePatternFilter {
  type?: BounceType | null;
  ispId?: string | null;
  /** true: only All-ISPs patterns; false: only ISP-specific ones. */
  allIsps?: boolean | null;
  origin?: Origin | null;
  enabled?: boolean | null;
  /** Case-insensitive text in the name, pattern or message. */
  search?: string | null;
}

export const BOUNCE_PATTERN_ORDER_FIELDS = ['PRIORITY', 'NAME', 'TYPE', 'CREATED_AT', 'UPDATED_AT'] as const;
export type BouncePatternOrderField = (typeof BOUNCE_PATTERN_ORDER_FIELDS)[number];
export interface BouncePatternOrder {
  field: BouncePatternOrderField;
  direction: 'ASC' | 'DESC';
}

const sortKeys: Record<BouncePatternOrderField, (row: BouncePatternRow) => SortKey> = {
  // Priority order is the order classify tries patterns in: priority, then creation.
  PRIORITY: (row) => [row.priority, Number(row.createdPosition), row.id],
  NAME: (row) => [row.name.toLowerCase(), row.id],
  TYPE: (row) => [row.type, row.priority, row.id],
  CREATED_AT: (row) => [Number(row.createdPosition), row.id],
  UPDATED_AT: (row) => [row.updatedAt, row.id],
};

/** The order classify tries patterns in. */
export const byClassificationOrder = (a: BouncePatternRow, b: BouncePatternRow): number =>
  compareKeys(sortKeys.PRIORITY(a), sortKeys.PRIORITY(b));

function matchesFilter(row: BouncePatternRow, filter: BouncePatternFilter): boolean {
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

/** Commands and queries on bounce patterns; rules that span aggregates are checked here. */
export class BouncePatterns {
  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
    private readonly clock: Clock,
  ) {}

  get(id: string): BouncePatternRow | undefined {
    return this.runner.model.pattern(id);
  }

  list(
    filter: BouncePatternFilter = {},
    order: BouncePatternOrder = { field: 'PRIORITY', direction: 'ASC' },
    page: { first?: number | null; after?: string | null } = {},
  ): Page<BouncePatternRow> {
    if (filter.search && filter.search.length > 200)
      throw new ValidationError('filter.search', 'must be at most 200 characters');
    const rows = this.runner.model.patterns().filter((row) => matchesFilter(row, filter));
    return paginate(rows, sortKeys[order.field], { ...page, descending: order.direction === 'DESC' });
  }

  /** The patterns of each ISP, in classification order, found in one pass. */
  byIsps(ispIds: readonly string[]): BouncePatternRow[][] {
    const byIsp = new Map<string, BouncePatternRow[]>(ispIds.map((id) => [id, []]));
    for (const row of this.runner.model.patterns()) if (row.ispId !== null) byIsp.get(row.ispId)?.push(row);
    const order = sortKeys.PRIORITY;
    return ispIds.map((id) => byIsp.get(id)!.sort((a, b) => compareKeys(order(a), order(b))));
  }

  async create(
    fields: BouncePatternFields,
    context: CommandContext,
    origin: Origin = 'CUSTOM',
    id = aggregateIdFor(context.commandId),
  ) {
    this.requireIsp(fields.ispId);
    return this.execute(id, { type: 'CreateBouncePattern', patternId: id, origin, fields }, context);
  }

  async edit(id: string, expectedVersion: number, changes: Partial<BouncePatternFields>, context: CommandContext) {
    if (changes.ispId) this.requireIsp(changes.ispId);
    return this.execute(id, { type: 'EditBouncePattern', patternId: id, expectedVersion, changes }, context);
  }

  async delete(id: string, expectedVersion: number, context: CommandContext) {
    return this.execute(id, { type: 'DeleteBouncePattern', patternId: id, expectedVersion }, context);
  }

  async revert(id: string, toVersion: number, expectedVersion: number | undefined, context: CommandContext) {
    return this.execute(id, { type: 'RevertBouncePattern', patternId: id, toVersion, expectedVersion }, context);
  }

  async restore(id: string, expectedVersion: number | undefined, context: CommandContext) {
    return this.execute(id, { type: 'RestoreBouncePattern', patternId: id, expectedVersion }, context);
  }

  /** Brings a default to the fields a release ships; `unlessEdited` leaves one an operator changed alone. */
  async takeShipped(
    id: string,
    shipped: { release: string; fields: BouncePatternFields; unlessEdited: boolean },
    expectedVersion: number | undefined,
    context: CommandContext,
  ) {
    const { release, fields, unlessEdited } = shipped;
    return this.execute(
      id,
      { type: 'TakeShippedBouncePattern', patternId: id, expectedVersion, release, shipped: fields, unlessEdited },
      context,
    );
  }

  /** Runs the command and waits until the projections include it, so the caller reads its own write. */
  private async execute(id: string, command: BouncePatternCommand, context: CommandContext) {
    const result = await handleCommand(
      this.store,
      bouncePatternDecider,
      bouncePatternStream(id),
      command,
      context,
      this.clock,
    );
    await this.runner.waitFor(result.position);
    const row = this.runner.model.patternRow(id);
    if (!row) throw new NotFoundError('BouncePattern', id);
    return { ...result, row };
  }

  private requireIsp(ispId: string | null): void {
    if (ispId !== null && !this.runner.model.isp(ispId)) throw new ValidationError('ispId', `no ISP with id ${ispId}`);
  }
}
