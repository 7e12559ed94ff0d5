import { BOUNCE_PATTERN_FIELD_NAMES } from '../domain/bouncePattern.js';
import { diffFields } from '../domain/changes.js';
import { ValidationError } from '../domain/errors.js';
import { byRuleOrder } from '../domain/ruleOrder.js';
import { bouncePatternStream, ispStream } from '../domain/streams.js';
import { verifyChain, type ChainVerification } from '../eventstore/chain.js';
import { passes } from '../eventstore/logFilter.js';
import { recorded, type EventStore, type LogFilter, type StoredEvent } from '../eventstore/port.js';
import { auditEntryOf, editedFields, type AuditEntry, type FieldChange } from '../../projections/auditLog.js';
import type { BouncePatternRow } from '../../projections/bouncePatternList.js';
import type { IspRow } from '../../projections/ispDirectory.js';
import type { Matcher } from '../../projections/matcher.js';
import { decodeCursor, encodeCursor, pageSize, type Page } from './pagination.js';
import type { ProjectionRunner } from './projectionRunner.js';
import { AUDITED, storedTime, TimeTravel, type AsOf } from './timeTravel.js';

export interface AuditLogFilter {
  /** Actor id. */
  actor?: string | null;
  patternId?: string | null;
  ispId?: string | null;
  eventTypes?: readonly string[] | null;
  /** Inclusive bounds on when the events occurred. */
  from?: Date | null;
  to?: Date | null;
}

export const AUDIT_LOG_ORDERS = ['NEWEST_FIRST', 'OLDEST_FIRST'] as const;
export type AuditLogOrder = (typeof AUDIT_LOG_ORDERS)[number];

export interface PatternChange {
  /** The pattern as it stood at the later moment. */
  readonly pattern: BouncePatternRow;
  readonly changes: readonly FieldChange[];
}

export interface RulesetDiff {
  readonly from: bigint | null;
  readonly to: bigint | null;
  readonly added: readonly BouncePatternRow[];
  readonly changed: readonly PatternChange[];
  /** Patterns live at `from` and deleted (or not yet created) at `to`, as they stood at `from`. */
  readonly removed: readonly BouncePatternRow[];
}

/**
 * Whether a new entry passes a filter of the audit log (the subscription to new entries): the very test the
 * stores apply to the list, on the entry's event.
 */
export function auditFilter(filter: AuditLogFilter): (entry: AuditEntry) => boolean {
  const keep = passes(logFilterOf(filter));
  return (entry) =>
    keep({
      streamId: entry.streamId,
      type: entry.eventType,
      metadata: { actor: entry.actor, occurredAt: entry.occurredAt },
    });
}

const entryOf = (event: StoredEvent): AuditEntry => auditEntryOf(recorded(event));

/** The filter of the audit log as the store reads it. */
function logFilterOf(filter: AuditLogFilter): LogFilter {
  const streamIds = [
    filter.patternId && bouncePatternStream(filter.patternId),
    filter.ispId && ispStream(filter.ispId),
  ].filter((stream): stream is string => Boolean(stream));
  const time = (field: 'from' | 'to') => {
    const at = filter[field];
    if (at == null) return undefined;
    if (Number.isNaN(at.getTime())) throw new ValidationError(`filter.${field}`, 'is not a valid time');
    return storedTime(at);
  };
  return {
    ...AUDITED,
    streamIds,
    actorId: filter.actor || undefined,
    types: filter.eventTypes ?? undefined,
    from: time('from'),
    to: time('to'),
  };
}

/** The position an audit-log cursor stands for (cursors are the sort key of the last entry seen). */
function positionOfCursor(cursor: string): bigint {
  const [position, ...rest] = decodeCursor(cursor);
  if (typeof position !== 'number' || !Number.isSafeInteger(position) || position < 0 || rest.length > 0)
    throw new ValidationError('after', 'is not a cursor returned by this list');
  return BigInt(position);
}

/** What auditors ask: who changed what and why, the rules at any past moment, and whether the log is intact. */
export class Audit {
  private readonly timeTravel: TimeTravel;

  constructor(
    private readonly store: EventStore,
    private readonly runner: ProjectionRunner,
  ) {
    this.timeTravel = new TimeTravel(store, runner);
  }

  /**
   * One page of the audit log, read from the store with the filter pushed down (its indexes answer it):
   * nothing of the log is kept in memory between questions.
   */
  async log(
    filter: AuditLogFilter = {},
    page: { first?: number | null; after?: string | null; order?: AuditLogOrder | null } = {},
  ): Promise<Page<AuditEntry>> {
    const size = pageSize(page.first);
    const backwards = page.order !== 'OLDEST_FIRST';
    const after = page.after ? positionOfCursor(page.after) : null;
    const query = logFilterOf(filter);
    const [events, totalCount, previous] = await Promise.all([
      this.store.readLog(query, { after, limit: size + 1, backwards }),
      this.store.countLog(query),
      // Whether an entry comes before the page: one at or on the near side of the cursor.
      after === null
        ? []
        : this.store.readLog(query, { after: backwards ? after - 1n : after + 1n, limit: 1, backwards: !backwards }),
    ]);
    const nodes = events.slice(0, size).map(entryOf);
    return {
      nodes,
      cursors: nodes.map((entry) => encodeCursor([Number(entry.position)])),
      totalCount,
      hasNextPage: events.length > size,
      hasPreviousPage: previous.length > 0,
    };
  }

  /** The entries of one pattern, oldest first. */
  async patternHistory(id: string): Promise<AuditEntry[]> {
    return (await this.store.readStream(bouncePatternStream(id))).map(entryOf);
  }

  async ispHistory(id: string): Promise<AuditEntry[]> {
    return (await this.store.readStream(ispStream(id))).map(entryOf);
  }

  /** A pattern as it stood at one of its versions; undefined when it never had that version. */
  async patternRevision(id: string, version: number): Promise<BouncePatternRow | undefined> {
    const model = await this.modelAtVersion(bouncePatternStream(id), version);
    return model?.patternRow(id);
  }

  async ispRevision(id: string, version: number): Promise<IspRow | undefined> {
    const model = await this.modelAtVersion(ispStream(id), version);
    return model?.ispRow(id);
  }

  private async modelAtVersion(streamId: string, version: number) {
    if (!Number.isInteger(version) || version < 1) return undefined;
    const event = (await this.store.readStream(streamId))[version - 1];
    if (!event) return undefined;
    // Written through another replica and not yet applied here: time travel serves what the runner has seen.
    await this.runner.waitFor(event.position);
    return this.timeTravel.modelAt({ position: event.position });
  }

  /** The live patterns at a past moment, in the order classify tried them. */
  async bouncePatternsAsOf(asOf: AsOf): Promise<{ position: bigint | null; patterns: BouncePatternRow[] }> {
    const model = await this.timeTravel.modelAt(asOf);
    return { position: model.position, patterns: model.patterns().sort(byRuleOrder) };
  }

  async ispsAsOf(asOf: AsOf): Promise<{ position: bigint | null; isps: IspRow[] }> {
    const model = await this.timeTravel.modelAt(asOf);
    return { position: model.position, isps: model.liveIsps() };
  }

  /** The matcher classify used at a past moment; its verdicts carry that moment's position. */
  async matcherAsOf(asOf: AsOf): Promise<Matcher> {
    return (await this.timeTravel.modelAt(asOf)).matcher;
  }

  async rulesetDiff(from: AsOf, to: AsOf): Promise<RulesetDiff> {
    const [before, after] = await Promise.all([this.timeTravel.modelAt(from), this.timeTravel.modelAt(to)]);
    const added: BouncePatternRow[] = [];
    const changed: PatternChange[] = [];
    for (const row of after.patterns()) {
      const old = before.pattern(row.id);
      if (!old) {
        added.push(row);
        continue;
      }
      const changes = editedFields(diffFields(old, row, BOUNCE_PATTERN_FIELD_NAMES));
      if (changes.length > 0) changed.push({ pattern: row, changes });
    }
    const removed = before.patterns().filter((row) => !after.pattern(row.id));
    return { from: before.position, to: after.position, added, changed, removed };
  }

  /** Recomputes the hash chain over the whole log, streaming it. */
  verify(): Promise<ChainVerification> {
    return verifyChain(this.store.readAll());
  }
}
