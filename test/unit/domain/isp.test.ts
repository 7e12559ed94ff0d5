import { describe, it, expect } from 'vitest';
import { ConflictError, NotFoundError, ProtectedDefaultError, ValidationError } from '../../../src/domain/errors.js';
import type { IspEvent } from '../../../src/domain/events.js';
import { ispDecider } from '../../../src/domain/isp.js';
import { DeciderSpecification } from '../../support/deciderSpecification.js';

const given = DeciderSpecification.for(ispDecider);
const ispId = 'acme';
const created = (origin: 'DEFAULT' | 'CUSTOM' = 'CUSTOM'): IspEvent => ({
  type: 'IspCreated',
  data: { ispId, origin, name: 'Acme Mail', domains: ['acme.example', 'mail.acme.example'] },
});

describe('CreateIsp', () => {
  it('normalises domains to lower case, without duplicates, sorted', () =>
    given([])
      .when({
        type: 'CreateIsp',
        ispId,
        origin: 'CUSTOM',
        fields: { name: 'Acme Mail', domains: ['Mail.ACME.example.', 'acme.example', 'ACME.example'] },
      })
      .then([created()]));

  it('refuses a value that is not a domain', () =>
    given([])
      .when({ type: 'CreateIsp', ispId, origin: 'CUSTOM', fields: { name: 'Acme', domains: ['not a domain'] } })
      .thenThrows(ValidationError, (e) => expect(e.field).toBe('domains')));

  it('refuses an existing id', () =>
    given([created()])
      .when({ type: 'CreateIsp', ispId, origin: 'CUSTOM', fields: { name: 'x', domains: [] } })
      .thenThrows(ConflictError));
});

describe('EditIsp', () => {
  it('records the changed domains with the previous list', () =>
    given([created()])
      .when({ type: 'EditIsp', ispId, expectedVersion: 1, changes: { domains: ['acme.example'] } })
      .then([
        {
          type: 'IspEdited',
          data: {
            ispId,
            changes: { domains: ['acme.example'] },
            previous: { domains: ['acme.example', 'mail.acme.example'] },
          },
        },
      ]));

  it('refuses a stale version', () =>
    given([created()])
      .when({ type: 'EditIsp', ispId, expectedVersion: 3, changes: { name: 'y' } })
      .thenThrows(ConflictError));

  it('refuses an unknown ISP', () =>
    given([])
      .when({ type: 'EditIsp', ispId, expectedVersion: 0, changes: { name: 'y' } })
      .thenThrows(NotFoundError));
});

describe('DeleteIsp', () => {
  it('deletes a custom ISP', () =>
    given([created()])
      .when({ type: 'DeleteIsp', ispId, expectedVersion: 1 })
      .then([{ type: 'IspDeleted', data: { ispId } }]));

  it('never deletes a default ISP', () =>
    given([created('DEFAULT')])
      .when({ type: 'DeleteIsp', ispId, expectedVersion: 1 })
      .thenThrows(ProtectedDefaultError));
});
