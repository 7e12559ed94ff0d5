import { Field, Int, ObjectType, type ClassType } from 'type-graphql';
import type { Page } from '../../app/pagination.js';

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field({ description: 'Whether rows follow this page: ask again with `after: endCursor`.' }) hasNextPage!: boolean;
  @Field({ description: 'Whether rows come before this page.' }) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true, description: 'The cursor of the first row; null on an empty page.' })
  startCursor!: string | null;
  @Field(() => String, { nullable: true, description: 'The cursor of the last row; null on an empty page.' })
  endCursor!: string | null;
}

/** A Relay connection of `node` (`<Name>Connection` with `<Name>Edge`s), for `first`/`after` lists. */
export function Connection<T extends object>(node: ClassType<T>, name: string, counted: string) {
  @ObjectType(`${name}Edge`, { description: `One row of a ${name} list, with its cursor.` })
  class Edge {
    @Field({ description: 'Where this row stands in the list: pass it as `after` for the rows that follow.' })
    cursor!: string;
    @Field(() => node, { description: 'The row.' }) node!: T;
  }

  // Not reachable itself: each `<Name>Connection` extends it.
  @ObjectType(`${name}ConnectionBase`)
  abstract class ConnectionType {
    @Field(() => [Edge], { description: 'The rows of this page, in list order.' }) edges!: Edge[];
    @Field(() => PageInfo, { description: 'Whether there are more pages, and the cursors to ask for them.' })
    pageInfo!: PageInfo;
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
