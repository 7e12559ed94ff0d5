/** The verdict a reply gets. */
export const BOUNCE_TYPES = ['HARD_BOUNCE', 'SOFT_BOUNCE', 'BOUNCE'] as const;
export type BounceType = (typeof BOUNCE_TYPES)[number];

/** DEFAULT rules and ISPs ship with the service; CUSTOM ones are the operator's. */
export const ORIGINS = ['DEFAULT', 'CUSTOM'] as const;
export type Origin = (typeof ORIGINS)[number];

export const ACTOR_KINDS = ['user', 'token', 'system'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface Actor {
  readonly id: string;
  readonly name: string;
  readonly kind: ActorKind;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', name: 'system', kind: 'system' };
export const ANONYMOUS_ACTOR: Actor = { id: 'anonymous', name: 'anonymous', kind: 'user' };

/** The editable fields of a bounce pattern. `ispId: null` means "All ISPs". */
export interface BouncePatternFields {
  readonly name: string;
  readonly type: BounceType;
  readonly ispId: string | null;
  readonly pattern: string;
  readonly message: string;
  readonly priority: number;
  readonly enabled: boolean;
}

export interface IspFields {
  readonly name: string;
  readonly domains: readonly string[];
}
