import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { Page } from '../../app/pagination.js';

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field() hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

/** A Relay connection of `node` (`<Name>Connection` with `<Name>Edge`s), for `first`/`after` lists. */
export function Connection<T extends object>(node: ClassType<T>, name: string, counted: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field() cursor!: string;
    @Field(() => node) node!: T;
  }

  // Not reachable itself: each `<Name>Connection` extends it.
  @ObjectType(`${name}ConnectionBase`)
  abstract class ConnectionType {
    @Field(() => [Edge]) edges!: Edge[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    @Field(() => Int, { description: `${counted} matching the filter, across all pages.` }) totalCount!: number;
  }
  return ConnectionType;
}

/** A page of rows as a connection; the rows are the nodes (field resolvers add the rest). */
export function connectionOf<T>(page: Page<T>) {
  return {
    edges: page.nodes.map((node, i) => ({ node, cursor: page.cursors[i]! })),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.cursors[0] ?? null,
      endCursor: page.cursors[page.cursors.length - 1] ?? null,
    },
    totalCount: page.totalCount,
  };
}
