import type { BouncePatternRow } from '../../projections/bouncePatternList.js';
import { NotFoundError } from '../domain/errors.js';
import { type DefaultsRelease, pickPatternFields, sameFields, shippedFieldsOf } from '../domain/defaults/release.js';
import type { BouncePatternFields } from '../domain/types.js';
import { byRuleOrder } from '../domain/ruleOrder.js';
import type { BouncePatterns } from './bouncePatterns.js';
import type { CommandContext } from './commandHandler.js';
import type { ProjectionRunner } from './projectionRunner.js';

/** The defaults as the running release ships them, against what is installed. */
export class ShippedDefaults {
  constructor(
    readonly defaults: DefaultsRelease,
    private readonly patterns: BouncePatterns,
    private readonly runner: ProjectionRunner,
  ) {}

  get release(): string {
    return this.defaults.release;
  }

  /** What this release ships for a default pattern (removed: it is no longer shipped); null for a custom one. */
  shipped(row: BouncePatternRow): { fields: BouncePatternFields; removed: boolean } | null {
    return row.origin === 'DEFAULT' ? shippedFieldsOf(this.defaults, row.id, row) : null;
  }

  differs(row: BouncePatternRow): boolean {
    const shipped = this.shipped(row);
    return shipped !== null && !sameFields(pickPatternFields(row), shipped.fields);
  }

  /** The defaults whose installed fields are not what this release ships, in classification order. */
  differing(): BouncePatternRow[] {
    return this.runner.model
      .patterns()
      .filter((row) => !row.deleted && this.differs(row))
      .sort(byRuleOrder);
  }

  /** The operator takes the shipped version of a default (a removed one is disabled). */
  async take(id: string, expectedVersion: number | undefined, context: CommandContext) {
    const row = this.patterns.get(id);
    if (!row) throw new NotFoundError('BouncePattern', id);
    const fields = this.shipped(row)?.fields ?? pickPatternFields(row);
    return this.patterns.takeShipped(id, { release: this.release, fields, unlessEdited: false }, expectedVersion, {
      ...context,
      reason: context.reason ?? `takes the default as release ${this.release} ships it`,
    });
  }
}
