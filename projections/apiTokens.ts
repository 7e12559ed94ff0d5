import type { Role } from '../src/domain/access.js';
import type { RecordedEvent } from '../src/domain/events.js';
import { created, touched, type RowProjection, type Stamped } from './projection.js';

export interface ApiTokenRow extends Stamped {
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly secretHash: string;
  readonly revoked: boolean;
}

/** The API tokens, by stream; the service looks them up by the hash of the presented secret. */
export const apiTokens: RowProjection<ApiTokenRow> = {
  name: 'apiTokens',
  canHandle: ['ApiTokenCreated', 'ApiTokenRevoked'],
  feedsMatcher: false,
  evolve(row, event: RecordedEvent) {
    switch (event.type) {
      case 'ApiTokenCreated': {
        const { tokenId, name, role, secretHash } = event.data;
        return { id: tokenId, name, role, secretHash, revoked: false, ...created(event) };
      }
      case 'ApiTokenRevoked':
        return row && { ...touched(row, event), revoked: true };
      default:
        return row;
    }
  },
};
