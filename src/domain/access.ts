import { ForbiddenError } from './errors.js';

/** API token roles, from the most to the least powerful. */
export const ROLES = ['admin', 'editor', 'viewer', 'auditor', 'mta'] as const;
export type Role = (typeof ROLES)[number];

/**
 * What each role may do: the one table the GraphQL layer checks (`@Authorized(permission)`) and
 * the README documents.
 */
export const PERMISSIONS = {
  /** classify, classifyBatch, classifyMessage */
  classify: ['admin', 'editor', 'viewer', 'auditor', 'mta'],
  /** bouncePatterns, bouncePattern, isps, isp */
  readRules: ['admin', 'editor', 'viewer', 'auditor'],
  /** testPattern */
  testPatterns: ['admin', 'editor'],
  /** create/edit/delete/revert/restore bounce patterns */
  editPatterns: ['admin', 'editor'],
  /** create/edit/delete ISPs */
  editIsps: ['admin'],
  /** auditLog, history, as-of queries, classify asOf, rulesetDiff, verifyAuditTrail */
  readAudit: ['admin', 'auditor'],
  /** create, list and revoke API tokens */
  manageTokens: ['admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export const allows = (role: Role, permission: Permission): boolean =>
  (PERMISSIONS[permission] as readonly Role[]).includes(role);

/** For a check inside an operation (an argument that reads more than the operation itself). */
export function requirePermission(role: Role | null, permission: Permission, what: string): void {
  if (role === null || !allows(role, permission))
    throw new ForbiddenError(`${what}: it needs the ${permission} permission`);
}

/** Every permission a role holds, in table order. */
export const permissionsOf = (role: Role): Permission[] =>
  (Object.keys(PERMISSIONS) as Permission[]).filter((permission) => allows(role, permission));
