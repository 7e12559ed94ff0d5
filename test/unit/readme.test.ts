import { readFileSync } from 'node:fs';
import { Kind, parse, validate } from 'graphql';
import { expect, it } from 'vitest';
import { PERMISSIONS, ROLES } from '../../src/domain/access.js';
import { NESTED_READS } from '../../src/graphql/auth.js';
import { checkDocument } from '../../src/graphql/limits.js';
import { buildBouncePatternsSchema } from '../../src/graphql/schema.js';
import { nestedReadKeys, readmeRoleTable } from '../support/readmeTables.js';

it('every GraphQL example in the README is valid against the schema and within the limits', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(examples.length).toBeGreaterThan(1);
  const schema = await buildBouncePatternsSchema();
  for (const example of examples) {
    const document = parse(example);
    const errors = validate(schema, document).map((e) => e.message);
    expect(errors, example).toEqual([]);
    for (const definition of document.definitions)
      if (definition.kind === Kind.OPERATION_DEFINITION)
        checkDocument(
          schema,
          { query: example, operationName: definition.name?.value ?? null },
          { role: 'admin', introspection: false },
        );
  }
});

it("the README's nested-read table is the permission table of src/graphql/auth.ts", () => {
  const listed: string[] = [];
  for (const [row, allowed] of readmeRoleTable('nested-access-table')) {
    const keys = nestedReadKeys(row);
    expect(keys.length, row).toBeGreaterThan(0);
    for (const key of keys) {
      expect(Object.keys(NESTED_READS), row).toContain(key);
      const permission = NESTED_READS[key];
      // No permission of its own: whoever may classify reaches it.
      const roles = permission ? PERMISSIONS[permission] : PERMISSIONS.classify;
      expect([...allowed], key).toEqual(ROLES.filter((role) => (roles as readonly string[]).includes(role)));
      listed.push(key);
    }
  }
  expect(listed.sort()).toEqual(Object.keys(NESTED_READS).sort());
});
