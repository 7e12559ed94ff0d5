import { readdirSync, readFileSync } from 'node:fs';
import {
  type DefinitionNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  print,
  visit,
  validate,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../src/domain/access.js';
import { checkDocument } from '../../src/graphql/limits.js';
import { buildBouncePatternsSchema } from '../../src/graphql/schema.js';

const WEB = new URL('../../web/src/', import.meta.url);
const definitions: DefinitionNode[] = readdirSync(WEB)
  .filter((file) => file.endsWith('.graphql'))
  .flatMap((file) => parse(readFileSync(new URL(file, WEB), 'utf8')).definitions);
const fragments = new Map(
  definitions
    .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
    .map((f) => [f.name.value, f]),
);
const operations = definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);

/** An operation with the fragments it spreads, as the console's client sends it. */
function documentOf(operation: OperationDefinitionNode): DocumentNode {
  const needed = new Set<string>();
  const collect = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        if (needed.has(spread.name.value)) return;
        needed.add(spread.name.value);
        collect(fragments.get(spread.name.value)!);
      },
    });
  collect(operation);
  return { kind: Kind.DOCUMENT, definitions: [operation, ...[...needed].map((name) => fragments.get(name)!)] };
}

// The largest variables the console sends (page sizes), since a page's cost grows with its size.
const VARIABLES: Record<string, Record<string, unknown>> = {
  Patterns: { first: 100 },
  AuditLog: { first: 50 },
};
// What a viewer's console sends: the screens without edits or audit.
const VIEWER_OPERATIONS = [
  'Me',
  'Patterns',
  'Pattern',
  'IspChoices',
  'Isps',
  'IspPatterns',
  'Classify',
  'RulesetVersion',
  'RulesetChanged',
  'BouncePatternChanged',
  'IspChanged',
];

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildBouncePatternsSchema();
});

describe("the console's operations (web/src/*.graphql) pass the server's own checks", () => {
  it('finds the operations', () => {
    expect(operations.map((o) => o.name?.value)).toEqual(expect.arrayContaining(VIEWER_OPERATIONS));
  });

  for (const operation of operations) {
    const name = operation.name!.value;
    const roles: Role[] = VIEWER_OPERATIONS.includes(name) ? ['admin', 'viewer'] : ['admin'];
    it(`${name}: valid against the schema, within the depth, cost and alias limits (${roles.join(', ')})`, () => {
      const document = documentOf(operation);
      expect(validate(schema, document).map((e) => e.message)).toEqual([]);
      const query = print(document);
      for (const role of roles) {
        expect(() =>
          checkDocument(schema, { query, variables: VARIABLES[name] ?? {} }, { role, introspection: false }),
        ).not.toThrow();
      }
    });
  }
});
