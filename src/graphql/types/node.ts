import { Field, ID, InterfaceType } from 'type-graphql';

/** The Relay object identification interface: anything with an id that `node(id:)` finds again. */
@InterfaceType({
  description: 'An object with an id that `node(id:)` finds again.',
  resolveType: (value: { __typename?: string }) => value.__typename,
})
export abstract class Node {
  @Field(() => ID, { description: 'Unique among all objects of the API.' })
  id!: string;
}

/** A revision's id: the object's id and its version, so it never collides with the live object. */
export const revisionId = (id: string, version: number): string => `${id}@${version}`;

export function parseRevisionId(id: string): { id: string; version: number } | null {
  const at = id.lastIndexOf('@');
  const version = Number(id.slice(at + 1));
  return at > 0 && Number.isInteger(version) && version > 0 ? { id: id.slice(0, at), version } : null;
}
