import { type DefaultsRelease, SHIPPED_DEFAULTS, shippedFieldsOf, sameFields } from '../domain/defaults/release.js';
import { SYSTEM_ACTOR } from '../domain/types.js';
import type { BouncePatterns } from './bouncePatterns.js';
import { unlessConcurrentlyDone } from './commandHandler.js';
import type { Isps } from './isps.js';
import type { ProjectionRunner } from './projectionRunner.js';

export interface SeedOutcome {
  /** Defaults the log did not hold: created. */
  readonly installed: number;
  /** Installed defaults no operator changed, brought to this release's version. */
  readonly updated: number;
  /** Installed defaults this release no longer ships, disabled (never deleted). */
  readonly disabled: number;
}

/**
 * Brings the log to the release's defaults, as events by `system` whose reason names the release.
 * Missing defaults are created; a default whose fields are still those a release last shipped is
 * updated to this release's, or disabled when this release no longer ships it; one an operator changed
 * is left alone (it shows as differing from the shipped default). Each command has a fixed id per
 * release, so a restart writes nothing and a concurrent start is refused by the store's version check
 * or recognised as the same command.
 */
export async function seedDefaults(
  runner: ProjectionRunner,
  isps: Isps,
  patterns: BouncePatterns,
  defaults: DefaultsRelease = SHIPPED_DEFAULTS,
): Promise<SeedOutcome> {
  const { release } = defaults;
  const outcome = { installed: 0, updated: 0, disabled: 0 };
  const run = async (kind: keyof SeedOutcome, command: () => Promise<{ position: bigint | null }>) => {
    if (((await unlessConcurrentlyDone(command))?.position ?? null) !== null) outcome[kind] += 1;
  };
  const system = (commandId: string, reason: string) => ({ actor: SYSTEM_ACTOR, commandId, reason });

  for (const { id, ...fields } of defaults.isps) {
    if (runner.model.ispRow(id)) continue;
    await run('installed', () =>
      isps.create(fields, system(`seed:isp:${id}`, `shipped with defaults release ${release}`), 'DEFAULT', id),
    );
  }
  for (const { id, ...fields } of defaults.patterns) {
    if (runner.model.patternRow(id)) continue;
    const context = system(`seed:bouncePattern:${id}`, `shipped with defaults release ${release}`);
    await run('installed', () => patterns.create(fields, context, 'DEFAULT', id));
  }
  for (const row of runner.model.patterns()) {
    if (row.origin !== 'DEFAULT' || row.deleted) continue;
    const shipped = shippedFieldsOf(defaults, row.id, row);
    if (sameFields(row, shipped.fields)) continue;
    const reason = shipped.removed
      ? `defaults release ${release} no longer ships this rule`
      : `changed in defaults release ${release}`;
    const context = system(`seed:${release}:bouncePattern:${row.id}`, reason);
    await run(shipped.removed ? 'disabled' : 'updated', () =>
      patterns.takeShipped(row.id, { release, fields: shipped.fields, unlessEdited: true }, undefined, context),
    );
  }
  return outcome;
}
