import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AuthorizationError } from 'type-graphql';
import { ConflictError, DomainError, MessageLimitError, ValidationError } from '../domain/errors.js';
import { LimitError } from './limits.js';

/**
 * What a client sees of an error: domain refusals with their code and the facts needed to act
 * (field, current version); anything unexpected as an opaque INTERNAL_SERVER_ERROR, logged here.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  // Apollo files validation-rule errors under GRAPHQL_VALIDATION_FAILED; a limit keeps its own code.
  const limit =
    original instanceof LimitError
      ? original
      : error instanceof GraphQLError && error.originalError instanceof LimitError
        ? error.originalError
        : null;
  if (limit) {
    const { http: _http, ...extensions } = limit.extensions;
    return { message: limit.message, locations: formatted.locations, extensions };
  }
  if (original instanceof DomainError) {
    const extensions: Record<string, unknown> = { code: original.code };
    if (original instanceof ValidationError) extensions.field = original.field;
    if (original instanceof ConflictError) extensions.currentVersion = original.currentVersion;
    if (original instanceof MessageLimitError) extensions.limit = original.limit;
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions };
  }
  if (original instanceof AuthorizationError)
    return {
      message: "The token's role does not allow this operation",
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'FORBIDDEN' },
    };
  const code = formatted.extensions?.code;
  if (original instanceof GraphQLError || (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR')) {
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  console.error('internal error:', original);
  return {
    message: 'Internal server error',
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
