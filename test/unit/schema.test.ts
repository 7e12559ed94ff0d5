import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { printSchema } from 'graphql';
import { expect, it } from 'vitest';
import { buildBouncePatternsSchema } from '../../src/graphql/schema.js';
import { scratchDir } from '../support/serviceProcess.js';

const committed = () => readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8');

it('the committed SDL is the schema the code serves (run `npm run schema` after changing a type)', async () => {
  expect(`${printSchema(await buildBouncePatternsSchema())}\n`).toBe(committed());
});

it('the script behind `npm run schema` writes that SDL', () => {
  const scratch = scratchDir();
  try {
    const script = new URL('../../dist/src/graphql/emitSchema.js', import.meta.url).pathname;
    const target = `${scratch.dir}/schema.graphql`;
    const printed = execFileSync(process.execPath, [script, target], { encoding: 'utf8' });
    expect(printed).toContain(`schema written to ${target}`);
    expect(readFileSync(target, 'utf8')).toBe(committed());
    expect(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).scripts.schema).toContain(
      'dist/src/graphql/emitSchema.js',
    );
  } finally {
    scratch.cleanup();
  }
});
