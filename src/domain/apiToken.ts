import { ROLES, type Role } from './access.js';
import type { Decider } from './decider.js';
import { ConflictError, NotFoundError, ValidationError } from './errors.js';
import type { ApiTokenEvent } from './events.js';
import { LIMITS } from './limits.js';
import { requireText } from './validation.js';

export type CreateApiToken = { type: 'CreateApiToken'; tokenId: string; name: string; role: Role; secretHash: string };
export type RevokeApiToken = { type: 'RevokeApiToken'; tokenId: string };
export type ApiTokenCommand = CreateApiToken | RevokeApiToken;

export type ApiTokenState =
  | { status: 'absent'; version: 0 }
  | { status: 'active' | 'revoked'; tokenId: string; role: Role; version: number };

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function decide(command: ApiTokenCommand, state: ApiTokenState): ApiTokenEvent[] {
  switch (command.type) {
    case 'CreateApiToken': {
      if (state.status !== 'absent')
        throw new ConflictError(`API token ${command.tokenId} already exists`, state.version);
      if (!ROLES.includes(command.role)) throw new ValidationError('role', `must be one of ${ROLES.join(', ')}`);
      if (!SHA256_HEX.test(command.secretHash)) throw new ValidationError('secretHash', 'must be a SHA-256 digest');
      const name = requireText('name', command.name, LIMITS.nameLength);
      return [
        {
          type: 'ApiTokenCreated',
          data: { tokenId: command.tokenId, name, role: command.role, secretHash: command.secretHash },
        },
      ];
    }
    case 'RevokeApiToken': {
      if (state.status === 'absent') throw new NotFoundError('ApiToken', command.tokenId);
      if (state.status === 'revoked') return [];
      return [{ type: 'ApiTokenRevoked', data: { tokenId: command.tokenId } }];
    }
  }
}

export function evolve(state: ApiTokenState, event: ApiTokenEvent): ApiTokenState {
  switch (event.type) {
    case 'ApiTokenCreated':
      return { status: 'active', tokenId: event.data.tokenId, role: event.data.role, version: 1 };
    case 'ApiTokenRevoked':
      if (state.status === 'absent') throw new Error('ApiTokenRevoked applied to a token that does not exist');
      return { ...state, status: 'revoked', version: state.version + 1 };
  }
}

export const apiTokenDecider: Decider<ApiTokenCommand, ApiTokenEvent, ApiTokenState> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent', version: 0 }),
};
