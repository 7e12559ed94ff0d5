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
