import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { StoreUnavailable, StreamDeleted } from '../../src/eventstore/port.js';
import { formatError } from '../../src/graphql/errors.js';

/** What a client receives when a resolver fails with `error`. */
const answer = (error: Error) => {
  const thrown = new GraphQLError(error.message, { originalError: error, path: ['editBouncePattern'] });
  return formatError(
    { message: error.message, path: ['editBouncePattern'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
    thrown,
  );
};

describe('store refusals as GraphQL errors', () => {
  it('says STORE_UNAVAILABLE, without the driver message, when the store cannot be reached', () => {
    const formatted = answer(
      new StoreUnavailable('PostgreSQL cannot be reached', { cause: new Error('connect ECONNREFUSED 10.0.0.1:5432') }),
    );
    expect(formatted.extensions).toEqual({ code: 'STORE_UNAVAILABLE' });
    expect(formatted.message).toContain('clientMutationId');
    expect(formatted.message).not.toContain('ECONNREFUSED');
  });

  it('says STREAM_DELETED for a stream deleted in the store', () => {
    const formatted = answer(new StreamDeleted('bouncePattern-p1'));
    expect(formatted.extensions).toEqual({ code: 'STREAM_DELETED' });
    expect(formatted.message).toContain('bouncePattern-p1');
  });
});
