import { readFileSync } from 'node:fs';
import { ROLES, type Role } from '../../src/domain/access.js';

/**
 * A role table of the README, between `<!-- marker … -->` and `<!-- /marker -->`: its first column →
 * the roles it marks ✓. The columns must be the roles, in order.
 */
export function readmeRoleTable(marker: string): Map<string, Set<Role>> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const block = new RegExp(`<!-- ${marker}[^>]*-->([\\s\\S]*?)<!-- /${marker} -->`).exec(readme)?.[1];
  if (!block) throw new Error(`README has no ${marker}`);
  const rows = block
    .trim()
    .split('\n')
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
  const roles = rows[0]!.slice(1);
  if (roles.join() !== ROLES.join()) throw new Error(`${marker} columns are ${roles.join()}, not ${ROLES.join()}`);
  return new Map(rows.slice(2).map(([first, ...cells]) => [first!, new Set(ROLES.filter((_, i) => cells[i] === '✓'))]));
}

/** The `Type.field` names a nested-read row lists (in backticks). */
export const nestedReadKeys = (row: string): string[] => [...row.matchAll(/`(\w+\.(?:\w+|\*))`/g)].map((m) => m[1]!);
