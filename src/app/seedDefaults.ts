import { DEFAULT_BOUNCE_PATTERNS, type DefaultBouncePattern } from '../domain/defaults/bouncePatterns.js';
import { DEFAULT_ISPS, type DefaultIsp } from '../domain/defaults/isps.js';
import { SYSTEM_ACTOR } from '../domain/types.js';
import type { BouncePatterns } from './bouncePatterns.js';
import { unlessConcurrentlyDone } from './commandHandler.js';
import type { Isps } from './isps.js';
import type { ProjectionRunner } from './projectionRunner.js';

/**
 * Installs the shipped ISPs and rules that the log does not hold yet, as events by `system`.
 * Each default has a fixed id and a fixed command id, so a restart skips it, a concurrent start
 * is refused by the store's version check (or recognised as the same command), and a release
 * that ships new defaults installs only those. Defaults an operator edited stay as edited.
 */
export async function seedDefaults(
  runner: ProjectionRunner,
  isps: Isps,
  patterns: BouncePatterns,
  defaults: { isps: readonly DefaultIsp[]; patterns: readonly DefaultBouncePattern[] } = {
    isps: DEFAULT_ISPS,
    patterns: DEFAULT_BOUNCE_PATTERNS,
  },
): Promise<number> {
  let installed = 0;
  const install = async (run: () => Promise<unknown>) => {
    if ((await unlessConcurrentlyDone(run)) !== null) installed += 1;
  };
  for (const { id, ...fields } of defaults.isps) {
    if (runner.model.ispRow(id)) continue;
    await install(() => isps.create(fields, { actor: SYSTEM_ACTOR, commandId: `seed:isp:${id}` }, 'DEFAULT', id));
  }
  for (const { id, ...fields } of defaults.patterns) {
    if (runner.model.patternRow(id)) continue;
    await install(() =>
      patterns.create(fields, { actor: SYSTEM_ACTOR, commandId: `seed:bouncePattern:${id}` }, 'DEFAULT', id),
    );
  }
  return installed;
}
