import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { printSchema } from 'graphql';
import { buildBouncePatternsSchema } from './schema.js';

/**
 * Writes the SDL that frontends read; `npm run schema` after changing a type, and commit it.
 * An argument names another file (the drift test writes to a scratch file).
 */
const target = process.argv[2] ? resolve(process.argv[2]) : new URL('../../../schema/schema.graphql', import.meta.url);
await writeFile(target, `${printSchema(await buildBouncePatternsSchema())}\n`);
console.log(`schema written to ${target instanceof URL ? target.pathname : target}`);
