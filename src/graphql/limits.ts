import type { ApolloServerPlugin } from '@apollo/server';
import {
  GraphQLError,
  Kind,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from 'graphql';
import { createRequire } from 'node:module';
import type * as QueryComplexity from 'graphql-query-complexity';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { PAGE_SIZE } from '../app/pagination.js';

// Its ES build imports graphql's .mjs files, a second graphql instance next to the CommonJS one that
// Apollo and type-graphql load; its CommonJS build shares theirs.
const { fieldExtensionsEstimator, getComplexity, simpleEstimator } = createRequire(import.meta.url)(
  'graphql-query-complexity',
) as typeof QueryComplexity;

/** What one request may cost; each limit is refused with its own code before anything runs. */
export const QUERY_LIMITS = { depth: 10, aliases: 30, complexity: 25_000 } as const;

export class LimitError extends GraphQLError {
  constructor(
    code: 'QUERY_TOO_DEEP' | 'TOO_MANY_ALIASES' | 'QUERY_TOO_COMPLEX',
    message: string,
    limit: number,
    actual: number,
  ) {
    super(message, { extensions: { code, limit, actual, http: { status: 400 } } });
  }
}

function selectionDepth(
  set: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  seen: Set<string>,
): number {
  if (!set) return 0;
  let deepest = 0;
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      // Introspection (what GraphiQL and code generators send) is deep by nature, and cheap.
      if (selection.name.value.startsWith('__')) continue;
      deepest = Math.max(
        deepest,
        selection.selectionSet ? 1 + selectionDepth(selection.selectionSet, fragments, seen) : 1,
      );
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragments, seen));
    } else if (!seen.has(selection.name.value)) {
      // A fragment spread counts once per path; cycles are already a validation error.
      const fragment = fragments[selection.name.value];
      deepest = Math.max(
        deepest,
        selectionDepth(fragment?.selectionSet, fragments, new Set([...seen, selection.name.value])),
      );
    }
  }
  return deepest;
}

/** Validation rule: no operation nests fields deeper than `max`. Cached with the document by Apollo. */
export const depthLimit =
  (max: number) =>
  (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation) {
      const fragments = Object.fromEntries(
        context
          .getDocument()
          .definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
          .map((d) => [d.name.value, d]),
      );
      const depth = selectionDepth(operation.selectionSet, fragments, new Set());
      if (depth > max)
        context.reportError(
          new LimitError('QUERY_TOO_DEEP', `query depth ${depth} is over the limit of ${max}`, max, depth),
        );
    },
  });

/** Validation rule: aliases multiply the work of one request, so their number is bounded. */
export const aliasLimit =
  (max: number) =>
  (context: ValidationContext): ASTVisitor => {
    let count = 0;
    return {
      Field(node) {
        if (node.alias) count += 1;
      },
      Document: {
        leave() {
          if (count > max)
            context.reportError(
              new LimitError('TOO_MANY_ALIASES', `${count} aliases is over the limit of ${max}`, max, count),
            );
        },
      },
    };
  };

/** Field complexity of an unpaginated list: costed as a full page, so nesting it stays within the limit. */
export const asFullPage = ({ childComplexity }: { childComplexity: number }): number =>
  1 + PAGE_SIZE.default * childComplexity;

/** A page costs its size times its fields; a batch costs its items times theirs. */
const listEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (Array.isArray(args.items)) return 1 + args.items.length * childComplexity;
  if (field.args.some((arg) => arg.name === 'first'))
    return 1 + (typeof args.first === 'number' ? args.first : PAGE_SIZE.default) * childComplexity;
  return undefined;
};

const estimators = [fieldExtensionsEstimator(), listEstimator, simpleEstimator({ defaultComplexity: 1 })];
type VariableValues = Record<string, unknown>;

/** Refuses an operation whose cost with these variables is over `max` (the plugin below, and the fast path). */
export function checkComplexity(
  max: number,
  request: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variables?: VariableValues },
): void {
  let cost: number;
  try {
    cost = getComplexity({
      schema: request.schema,
      query: request.document,
      operationName: request.operationName ?? undefined,
      variables: request.variables ?? undefined,
      estimators,
    });
  } catch {
    // Variables that do not fit their types: execution refuses them before any resolver runs,
    // as BAD_USER_INPUT naming the variable.
    return;
  }
  if (cost > max)
    throw new LimitError('QUERY_TOO_COMPLEX', `query cost ${cost} is over the limit of ${max}`, max, cost);
}

/** Computes each operation's cost with its variables, before execution. */
export function complexityLimit(max: number): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          checkComplexity(max, {
            schema,
            document,
            operationName: request.operationName,
            variables: request.variables,
          });
        },
      };
    },
  };
}
