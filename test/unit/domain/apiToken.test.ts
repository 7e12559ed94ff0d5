import { describe, expect, it } from 'vitest';
import { apiTokenDecider } from '../../../src/domain/apiToken.js';
import { ConflictError, NotFoundError, ValidationError } from '../../../src/domain/errors.js';
import type { ApiTokenEvent } from '../../../src/domain/events.js';
import { DeciderSpecification } from '../../support/deciderSpecification.js';

const given = DeciderSpecification.for(apiTokenDecider);
const tokenId = 't1';
const secretHash = 'ab'.repeat(32);
const created: ApiTokenEvent = {
  type: 'ApiTokenCreated',
  data: { tokenId, name: 'MTA relay', role: 'mta', secretHash },
};

describe('CreateApiToken', () => {
  it('records the name, role and secret hash, trimmed', () =>
    given([]).when({ type: 'CreateApiToken', tokenId, name: '  MTA relay ', role: 'mta', secretHash }).then([created]));

  it('refuses an unknown role', () =>
    given([])
      .when({ type: 'CreateApiToken', tokenId, name: 'x', role: 'root' as never, secretHash })
      .thenThrows(ValidationError, (e) => expect(e.field).toBe('role')));

  it('refuses anything but a SHA-256 digest as the secret hash (never the secret itself)', () =>
    given([])
      .when({ type: 'CreateApiToken', tokenId, name: 'x', role: 'mta', secretHash: 'bp_plain_secret' })
      .thenThrows(ValidationError, (e) => expect(e.field).toBe('secretHash')));

  it('refuses an id already taken', () =>
    given([created])
      .when({ type: 'CreateApiToken', tokenId, name: 'x', role: 'mta', secretHash })
      .thenThrows(ConflictError));
});

describe('RevokeApiToken', () => {
  it('revokes an active token', () =>
    given([created])
      .when({ type: 'RevokeApiToken', tokenId })
      .then([{ type: 'ApiTokenRevoked', data: { tokenId } }]));

  it('does nothing for a token already revoked', () =>
    given([created, { type: 'ApiTokenRevoked', data: { tokenId } }])
      .when({ type: 'RevokeApiToken', tokenId })
      .thenNothingHappens());

  it('refuses an unknown token', () => given([]).when({ type: 'RevokeApiToken', tokenId }).thenThrows(NotFoundError));
});
