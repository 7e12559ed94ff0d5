import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'graphql';
import ts from 'typescript';
import { expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the console's build, without types.
import { typedClient } from '../../web/typedClient.mjs';

const at = (path: string) => new URL(path, import.meta.url);

/**
 * A frontend's typed client, built as graphql-codegen builds one (client types from the committed SDL),
 * over every GraphQL example of the README: a schema change that breaks one of them fails here.
 */
it("the README's operations compile into a typed client of the committed schema", async () => {
  const sdl = readFileSync(at('../../schema/schema.graphql'), 'utf8');
  const readme = readFileSync(at('../../README.md'), 'utf8');
  const documents = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match, i) => ({
    location: `README.md#example-${i + 1}`,
    document: parse(match[1]!),
  }));
  expect(documents.length).toBeGreaterThanOrEqual(5);
  const output = await typedClient(sdl, documents, 'readme.generated.ts');

  // Beside the build's output, so that the client's imports resolve from the project's packages.
  const folder = at('../../dist/typed-client/');
  mkdirSync(folder, { recursive: true });
  const file = new URL('readme.generated.ts', folder).pathname;
  writeFileSync(file, output);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
  });
  const problems = ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
  expect(problems).toEqual([]);
  expect(output).toContain('TypedDocumentNode');
}, 60_000);
