import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';
import { expect, it } from 'vitest';
import { buildBouncePatternsSchema } from '../../src/graphql/schema.js';

/** Every named thing of the schema a client reads, with its description (or none). */
function documented(schema: GraphQLSchema): [string, string | null | undefined][] {
  const found: [string, string | null | undefined][] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || (isScalarType(type) && isSpecifiedScalarType(type))) continue;
    found.push([type.name, type.description]);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type))
      for (const field of Object.values(type.getFields())) {
        found.push([`${type.name}.${field.name}`, field.description]);
        if ('args' in field)
          for (const arg of field.args) found.push([`${type.name}.${field.name}(${arg.name})`, arg.description]);
      }
    if (isEnumType(type))
      for (const value of type.getValues()) found.push([`${type.name}.${value.name}`, value.description]);
  }
  return found;
}

it('describes every type, field, argument and enum value', async () => {
  const missing = documented(await buildBouncePatternsSchema())
    .filter(([, description]) => !description?.trim())
    .map(([name]) => name);
  expect(missing).toEqual([]);
});
