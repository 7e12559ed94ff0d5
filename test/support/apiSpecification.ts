import { graphql, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { App, type AppOptions } from '../../src/app/app.js';
import type { EventStore } from '../../src/eventstore/port.js';
import type { Role } from '../../src/domain/access.js';
import { SYSTEM_ACTOR } from '../../src/domain/types.js';
import { MemoryEventStore } from '../../src/eventstore/memory.js';
import { createLoaders, type GraphQLContext } from '../../src/graphql/context.js';
import { ChangeFeed } from '../../src/graphql/changeFeed.js';
import { formatError } from '../../src/graphql/errors.js';
import { buildBouncePatternsSchema } from '../../src/graphql/schema.js';

let schema: Promise<GraphQLSchema> | undefined;

export interface ApiAnswer {
  readonly data: any;
  readonly errors: readonly GraphQLFormattedError[] | undefined;
}

/**
 * The API in process: the real app over the memory store and the real schema and resolvers,
 * operations executed without HTTP. For the fast cases of command flows; what crosses HTTP
 * (limits, status codes, tokens on the wire) stays in the end-to-end tests.
 */
export async function inProcessApi(options: AppOptions & { store?: EventStore } = {}) {
  const store = options.store ?? new MemoryEventStore();
  const app = new App(store, { ...options, seed: options.seed ?? false, bootstrapAdminToken: null });
  await app.start();
  schema ??= buildBouncePatternsSchema();
  const executable = await schema;

  const as = async (role: Role) => {
    const { secret } = await app.apiTokens.create(`${role} in process`, role, { actor: SYSTEM_ACTOR });
    const principal = app.apiTokens.authenticate(secret);
    return async (source: string, variableValues?: Record<string, unknown>): Promise<ApiAnswer> => {
      const contextValue: GraphQLContext = {
        principal,
        correlationId: 'in-process',
        services: app,
        loaders: createLoaders(app),
        feed: new ChangeFeed(),
      };
      const result = await graphql({ schema: executable, source, variableValues, contextValue });
      return { data: result.data, errors: result.errors?.map((error) => formatError(error.toJSON(), error)) };
    };
  };
  return { app, store, as, stop: () => app.stop() };
}
