// A typed client of the committed SDL, as graphql-codegen builds one: used for the console's operations
// (codegen.mjs) and for the README's examples (test/unit/readmeTypedClient.test.ts).
import { codegen } from '@graphql-codegen/core';
import * as typedDocumentNode from '@graphql-codegen/typed-document-node';
import * as typescript from '@graphql-codegen/typescript';
import * as typescriptOperations from '@graphql-codegen/typescript-operations';
import { buildSchema, parse } from 'graphql';

/** TypeScript for `documents` ({ location, document }) against the SDL text; throws on a document the schema rejects. */
export function typedClient(sdl, documents, filename) {
  return codegen({
    filename,
    schema: parse(sdl),
    schemaAst: buildSchema(sdl),
    documents,
    config: {
      enumsAsTypes: true,
      useTypeImports: true,
      strictScalars: true,
      scalars: { DateTime: 'string', Position: 'string', JSON: 'unknown' },
    },
    plugins: [{ typescript: {} }, { typescriptOperations: {} }, { typedDocumentNode: {} }],
    pluginMap: { typescript, typescriptOperations, typedDocumentNode },
  });
}
