import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { AuthorizationError } from 'type-graphql';
import { ConflictError, DomainError, MessageLimitError, ValidationError } from '../domain/errors.js';
import type { ApolloServerPlugin } from '@apollo/server';
import { ProjectionsStopped } from '../app/commandHandler.js';
import { LogReadOnly, StoreUnavailable, StreamDeleted } from '../eventstore/port.js';

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
  const refusal = (message: string, code: string): GraphQLFormattedError => ({
    message,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { code },
  });
  if (original instanceof LogReadOnly)
    return refusal(
      `This service serves the event log read-only (${original.why}); nothing was changed`,
      'AUDIT_TRAIL_BROKEN',
    );
  // Retrying later is safe: a retried mutation with the same clientMutationId is applied once.
  if (original instanceof StoreUnavailable)
    return refusal(
      'The event store cannot be reached or refuses writes; nothing was changed, or retry with the same clientMutationId',
      'STORE_UNAVAILABLE',
    );
  if (original instanceof ProjectionsStopped)
    return refusal(
      'This replica stopped following the event log; nothing was changed: retry on another replica',
      'PROJECTIONS_STOPPED',
    );
  if (original instanceof StreamDeleted)
    return refusal(`${original.message}: it can no longer be changed`, 'STREAM_DELETED');
  if (original instanceof AuthorizationError)
    return refusal("The token's role does not allow this operation", 'FORBIDDEN');
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

/** Codes that say the service, not the request, is at fault: answered with HTTP 503 so that proxies and clients retry. */
const UNAVAILABLE = new Set(['STORE_UNAVAILABLE', 'PROJECTIONS_STOPPED', 'AUDIT_TRAIL_BROKEN']);

export const unavailableStatusPlugin: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
        if (errors?.some((error) => UNAVAILABLE.has(error.extensions?.code as string))) response.http.status = 503;
      },
    };
  },
};
