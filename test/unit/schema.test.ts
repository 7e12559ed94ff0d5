import { readFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { expect, it } from 'vitest';
import { buildBouncePatternsSchema } from '../../src/graphql/schema.js';

it('the committed SDL is the schema the code serves (run `npm run schema` after changing a type)', async () => {
  const committed = readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');
  expect(printSchema(await buildBouncePatternsSchema()) + '\n').toBe(committed);
});
