import type { RecordedEvent } from '../domain/events.js';
import { apiTokenStream, bouncePatternStream, ispStream } from '../domain/streams.js';
import type { ApiTokenRow } from '../../projections/apiTokens.js';
import type { BouncePatternRow } from '../../projections/bouncePatternList.js';
import { ROW_PROJECTIONS, type RowOf, type RowProjectionName } from '../../projections/index.js';
import type { IspRow } from '../../projections/ispDirectory.js';
import { compileMatcherInSteps, runToEnd, type Matcher } from '../../projections/matcher.js';
import type { RowProjection } from '../../projections/projection.js';

type Tables = { [N in RowProjectionName]: Map<string, RowOf<N>> };

const NAMES = Object.keys(ROW_PROJECTIONS) as RowProjectionName[];

/** For each event type, the registered projections that fold it. */
const HANDLERS = new Map<string, RowProjectionName[]>();
for (const name of NAMES)
  for (const type of ROW_PROJECTIONS[name].canHandle) HANDLERS.set(type, [...(HANDLERS.get(type) ?? []), name]);

const emptyTables = (): Tables => Object.fromEntries(NAMES.map((name) => [name, new Map()])) as unknown as Tables;

/**
 * The projections the service answers from, folded up to `position`. The live one is fed by the
 * runner; time travel builds others from the log up to a past position.
 */
export class ReadModel {
  position: bigint | null = null;
  /** How many events changed each table: what tells a derived index (the matcher, tokens by hash) it is stale. */
  private readonly revisions = Object.fromEntries(NAMES.map((name) => [name, 0])) as Record<RowProjectionName, number>;
  private compiledRevision = -1;
  private compiled: Matcher | undefined;
  private tokensByHash: { revision: number; byHash: Map<string, ApiTokenRow> } | undefined;

  constructor(private readonly tables: Tables = emptyTables()) {}

  /** Folds the event into every registered projection that handles its type. */
  apply(event: RecordedEvent): void {
    for (const name of HANDLERS.get(event.type) ?? []) {
      const projection = ROW_PROJECTIONS[name] as RowProjection<RowOf<typeof name>>;
      const rows = this.tables[name] as Map<string, RowOf<typeof name>>;
      const row = projection.evolve(rows.get(event.streamId) ?? null, event);
      if (row === null) rows.delete(event.streamId);
      else rows.set(event.streamId, row);
      this.revisions[name] += 1;
    }
    this.position = event.position;
  }

  /** Counts the changes to the rows the matcher is built from. */
  private get rulesRevision(): number {
    return NAMES.reduce((sum, name) => sum + (ROW_PROJECTIONS[name].feedsMatcher ? this.revisions[name] : 0), 0);
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
    return {
      steps: compileMatcherInSteps(this.patterns(), this.liveIsps(), this.position, this.compiled),
      revision: this.rulesRevision,
    };
  }

  get matcherIsCurrent(): boolean {
    return this.compiled !== undefined && this.compiledRevision === this.rulesRevision;
  }

  /**
   * Lets this model's first matcher reuse the regexes `matcher` compiled for the same pattern texts: a past
   * model shares them with the live one instead of compiling and holding copies.
   */
  reuseCompiled(matcher: Matcher): void {
    if (this.compiled !== undefined) return;
    this.compiled = matcher;
    this.compiledRevision = -1;
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
    return this.tables.patterns.get(bouncePatternStream(id));
  }

  /** Live patterns, in creation order. */
  patterns(): BouncePatternRow[] {
    return [...this.tables.patterns.values()].filter((row) => !row.deleted);
  }

  /** Deleted patterns, in creation order. */
  deletedPatterns(): BouncePatternRow[] {
    return [...this.tables.patterns.values()].filter((row) => row.deleted);
  }

  isp(id: string): IspRow | undefined {
    const row = this.ispRow(id);
    return row && !row.deleted ? row : undefined;
  }

  ispRow(id: string): IspRow | undefined {
    return this.tables.isps.get(ispStream(id));
  }

  liveIsps(): IspRow[] {
    return [...this.tables.isps.values()].filter((row) => !row.deleted);
  }

  apiTokens(): ApiTokenRow[] {
    return [...this.tables.apiTokens.values()];
  }

  apiToken(id: string): ApiTokenRow | undefined {
    return this.tables.apiTokens.get(apiTokenStream(id));
  }

  /** The token whose secret has this hash, revoked or not. */
  apiTokenByHash(secretHash: string): ApiTokenRow | undefined {
    if (this.tokensByHash?.revision !== this.revisions.apiTokens)
      this.tokensByHash = {
        revision: this.revisions.apiTokens,
        byHash: new Map(this.apiTokens().map((row) => [row.secretHash, row])),
      };
    return this.tokensByHash.byHash.get(secretHash);
  }

  /** Rows in all tables, deleted ones included: what a clone copies. */
  get rowCount(): number {
    return NAMES.reduce((sum, name) => sum + this.tables[name].size, 0);
  }

  /** Rows are immutable, so a clone copies the maps, not the rows. */
  clone(): ReadModel {
    const tables = Object.fromEntries(
      NAMES.map((name) => [name, new Map<string, unknown>(this.tables[name])]),
    ) as unknown as Tables;
    const copy = new ReadModel(tables);
    copy.position = this.position;
    return copy;
  }
}
