import { readFileSync } from 'node:fs';
import { parse, validate } from 'graphql';
import { expect, it } from 'vitest';
import { buildBouncePatternsSchema } from '../../src/graphql/schema.js';

it('every GraphQL example in the README is valid against the schema', async () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);
  expect(examples.length).toBeGreaterThan(1);
  const schema = await buildBouncePatternsSchema();
  for (const example of examples) {
    const errors = validate(schema, parse(example)).map((e) => e.message);
    expect(errors, example).toEqual([]);
  }
});
