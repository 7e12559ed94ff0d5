import type { RecordedEvent } from '../domain/events.js';
import { bouncePatternList, type BouncePatternRow } from '../../projections/bouncePatternList.js';
import { ispDirectory, type IspRow } from '../../projections/ispDirectory.js';
import { compileMatcherInSteps, runToEnd, type Matcher } from '../../projections/matcher.js';
import type { RowProjection } from '../../projections/projection.js';
import { apiTokens, type ApiTokenRow } from '../../projections/apiTokens.js';
import type { StoredEvent } from '../eventstore/port.js';

class RowTable<Row> {
  readonly rows = new Map<string, Row>();
  constructor(private readonly projection: RowProjection<Row>) {}

  /** Whether the event changed a row of this table. */
  apply(event: RecordedEvent): boolean {
    const key = this.projection.rowKey(event);
    if (key === null) return false;
    const row = this.projection.evolve(this.rows.get(key) ?? null, event);
    if (row === null) this.rows.delete(key);
    else this.rows.set(key, row);
    return true;
  }

  clone(): RowTable<Row> {
    const copy = new RowTable(this.projection);
    for (const [key, row] of this.rows) copy.rows.set(key, row);
    return copy;
  }
}

/**
 * The projections the service answers from, folded up to `position`. The live one is fed by the
 * runner; time travel builds others from the log up to a past position.
 */
export class ReadModel {
  position: bigint | null = null;
  /** Counts the events that changed rules or ISPs: what a matcher was built from. */
  private rulesRevision = 0;
  private compiledRevision = -1;
  private compiled: Matcher | undefined;
  private tokensByHash: Map<string, ApiTokenRow> | undefined;

  constructor(
    private readonly patternTable = new RowTable(bouncePatternList),
    private readonly ispTable = new RowTable(ispDirectory),
    private readonly tokenTable = new RowTable(apiTokens),
  ) {}

  apply(event: StoredEvent): void {
    const recorded = event as RecordedEvent;
    const changed = this.patternTable.apply(recorded) || this.ispTable.apply(recorded);
    if (changed) this.rulesRevision += 1;
    else if (this.tokenTable.apply(recorded)) this.tokensByHash = undefined;
    this.position = event.position;
  }

  /** The matcher for the rules as they stand; rebuilt (at once) only after rules or ISPs changed. */
  get matcher(): Matcher {
    const rebuild = this.matcherRebuild();
    if (rebuild) this.adoptMatcher(runToEnd(rebuild.steps), rebuild.revision);
    return this.compiled!;
  }

  /**
   * The steps that build a matcher from the rules as they stand now (reusing what the last one
   * compiled), or null when that matcher is current.
   */
  matcherRebuild(): { steps: Generator<void, Matcher, void>; revision: number } | null {
    if (this.matcherIsCurrent) return null;
    const rules = [...this.patternTable.rows.values()].filter((row) => !row.deleted);
    return {
      steps: compileMatcherInSteps(rules, this.liveIsps(), this.position, this.compiled),
      revision: this.rulesRevision,
    };
  }

  get matcherIsCurrent(): boolean {
    return this.compiled !== undefined && this.compiledRevision === this.rulesRevision;
  }

  /** Takes a matcher built by `matcherRebuild` steps; rules changed since leave the model stale. */
  adoptMatcher(matcher: Matcher, revision: number): void {
    this.compiled = matcher;
    this.compiledRevision = revision;
  }

  pattern(id: string): BouncePatternRow | undefined {
    const row = this.patternRow(id);
    return row && !row.deleted ? row : undefined;
  }

  /** The pattern's row even when it is deleted. */
  patternRow(id: string): BouncePatternRow | undefined {
    return this.patternTable.rows.get(`bouncePattern-${id}`);
  }

  /** Live patterns, in creation order. */
  patterns(): BouncePatternRow[] {
    return [...this.patternTable.rows.values()].filter((row) => !row.deleted);
  }

  isp(id: string): IspRow | undefined {
    const row = this.ispRow(id);
    return row && !row.deleted ? row : undefined;
  }

  ispRow(id: string): IspRow | undefined {
    return this.ispTable.rows.get(`isp-${id}`);
  }

  liveIsps(): IspRow[] {
    return [...this.ispTable.rows.values()].filter((row) => !row.deleted);
  }

  apiTokens(): ApiTokenRow[] {
    return [...this.tokenTable.rows.values()];
  }

  apiToken(id: string): ApiTokenRow | undefined {
    return this.tokenTable.rows.get(`apiToken-${id}`);
  }

  /** The token whose secret has this hash, revoked or not. */
  apiTokenByHash(secretHash: string): ApiTokenRow | undefined {
    this.tokensByHash ??= new Map(this.apiTokens().map((row) => [row.secretHash, row]));
    return this.tokensByHash.get(secretHash);
  }

  /** Rows in all tables, deleted ones included: what a clone copies. */
  get rowCount(): number {
    return this.patternTable.rows.size + this.ispTable.rows.size + this.tokenTable.rows.size;
  }

  clone(): ReadModel {
    const copy = new ReadModel(this.patternTable.clone(), this.ispTable.clone(), this.tokenTable.clone());
    copy.position = this.position;
    return copy;
  }
}
