import { writeFile } from 'node:fs/promises';
import { printSchema } from 'graphql';
import { buildBouncePatternsSchema } from './schema.js';

/** Writes the SDL that frontends read; `npm run schema` after changing a type, and commit it. */
const target = new URL('../../../schema/schema.graphql', import.meta.url);
await writeFile(target, printSchema(await buildBouncePatternsSchema()) + '\n');
console.log(`schema written to ${target.pathname}`);
