import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { SORT_DIRECTIONS } from '../../app/pagination.js';
import { ACTOR_KINDS, BOUNCE_TYPES, ORIGINS, type ActorKind } from '../../domain/types.js';

/** A GraphQL enum whose values are the domain's own strings. */
export const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const BounceTypeEnum = enumOf(BOUNCE_TYPES);
registerEnumType(BounceTypeEnum, {
  name: 'BounceType',
  description: 'The verdict on a failed delivery.',
  valuesConfig: {
    HARD_BOUNCE: { description: 'The address is bad (no such user or domain, account disabled): stop sending to it.' },
    SOFT_BOUNCE: { description: 'Temporary (mailbox full, greylisting, rate limit, most 4xx): retry later.' },
    BOUNCE: { description: 'Any other failure (spam, policy, reputation, content): do not retry, keep the address.' },
  },
});

export const OriginEnum = enumOf(ORIGINS);
registerEnumType(OriginEnum, {
  name: 'Origin',
  description: 'Where a rule or an ISP comes from.',
  valuesConfig: {
    DEFAULT: { description: 'Shipped with the service: can be edited and disabled, never deleted.' },
    CUSTOM: { description: 'Created by the operator: can be deleted.' },
  },
});

export const ActorKindEnum = enumOf(ACTOR_KINDS.map((k) => k.toUpperCase() as Uppercase<ActorKind>));
registerEnumType(ActorKindEnum, {
  name: 'ActorKind',
  description: 'What kind of actor made a change.',
  valuesConfig: {
    USER: { description: 'A person (with AUTH_DISABLED in development: the anonymous admin).' },
    TOKEN: { description: 'An API token: its id and name.' },
    SYSTEM: { description: 'The service itself: shipped defaults and the first admin token.' },
  },
});

export const SortDirectionEnum = enumOf(SORT_DIRECTIONS);
registerEnumType(SortDirectionEnum, {
  name: 'SortDirection',
  description: 'Which way a list is sorted.',
  valuesConfig: { ASC: { description: 'Smallest first.' }, DESC: { description: 'Largest first.' } },
});

@ObjectType({ description: 'Who made a change: a person, an API token or the service itself.' })
export class Actor {
  @Field(() => ID, { description: 'The token id, `system`, or `anonymous`.' }) id!: string;
  @Field({ description: "The token name, or the actor's display name." }) name!: string;
  @Field(() => ActorKindEnum, { description: 'What kind of actor this is.' }) kind!: Uppercase<ActorKind>;
}

export const toActor = (actor: { id: string; name: string; kind: ActorKind }): Actor => ({
  id: actor.id,
  name: actor.name,
  kind: actor.kind.toUpperCase() as Uppercase<ActorKind>,
});
