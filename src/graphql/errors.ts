import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AuthorizationError } from 'type-graphql';
import { ConflictError, DomainError, MessageLimitError, ValidationError } from '../domain/errors.js';
import { StoreUnavailable, StreamDeleted } from '../eventstore/port.js';

/**
 * What a client sees of an error: domain refusals with their code and the facts needed to act
 * (field, current version); anything unexpected as an opaque INTERNAL_SERVER_ERROR, logged here.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) {
    const extensions: Record<string, unknown> = { code: original.code };
    if (original instanceof ValidationError) {
      extensions.field = original.field;
      extensions.fieldErrors = original.fieldErrors;
    }
    if (original instanceof ConflictError) extensions.currentVersion = original.currentVersion;
    if (original instanceof MessageLimitError) extensions.limit = original.limit;
    return { message: original.message, locations: formatted.locations, path: formatted.path, extensions };
  }
  // Retrying later is safe: a retried mutation with the same clientMutationId is applied once.
  if (original instanceof StoreUnavailable)
    return {
      message: 'The event store cannot be reached; nothing was changed, or retry with the same clientMutationId',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'STORE_UNAVAILABLE' },
    };
  if (original instanceof StreamDeleted)
    return {
      message: `${original.message}: it can no longer be changed`,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'STREAM_DELETED' },
    };
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
