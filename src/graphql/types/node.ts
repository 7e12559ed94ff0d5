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
