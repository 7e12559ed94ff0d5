import { describe, it } from 'vitest';
import { apiTokens } from '../../../projections/apiTokens.js';
import { bouncePatternList } from '../../../projections/bouncePatternList.js';
import { ispDirectory } from '../../../projections/ispDirectory.js';
import type { DomainEvent } from '../../../src/domain/events.js';
import { inLog, ProjectionSpecification, SAMPLE_PATTERN_FIELDS } from '../../support/projectionSpecification.js';

const fields = SAMPLE_PATTERN_FIELDS;
const patternCreated: DomainEvent = {
  type: 'BouncePatternCreated',
  data: { patternId: 'p1', origin: 'CUSTOM', ...fields },
};

describe('bouncePatternList', () => {
  const given = ProjectionSpecification.for(bouncePatternList);

  it('makes a row of a created pattern, stamped with its creation', () =>
    given(inLog('bouncePattern-p1', [patternCreated])).then({
      id: 'p1',
      ...fields,
      origin: 'CUSTOM',
      deleted: false,
      version: 1,
      createdPosition: 1n,
      createdAt: '2026-01-01T00:00:00.000Z',
    }));

  it('applies an edit and a revert field by field, and moves the version', () =>
    given(
      inLog('bouncePattern-p1', [
        patternCreated,
        {
          type: 'BouncePatternEdited',
          data: {
            patternId: 'p1',
            changes: { priority: 5, enabled: false },
            previous: { priority: 100, enabled: true },
          },
        },
        {
          type: 'BouncePatternReverted',
          data: { patternId: 'p1', toVersion: 1, changes: { enabled: true }, previous: { enabled: false } },
        },
      ]),
    ).then({ priority: 5, enabled: true, version: 3, updatedAt: '2026-01-01T00:02:00.000Z' }));

  it('keeps a deleted pattern as a deleted row, and a restore brings it back', () => {
    const deleted: DomainEvent = { type: 'BouncePatternDeleted', data: { patternId: 'p1' } };
    given(inLog('bouncePattern-p1', [patternCreated, deleted])).then({ deleted: true, version: 2 });
    given(
      inLog('bouncePattern-p1', [
        patternCreated,
        deleted,
        { type: 'BouncePatternRestored', data: { patternId: 'p1' } },
      ]),
    ).then({ deleted: false, version: 3 });
  });
});

describe('ispDirectory', () => {
  const given = ProjectionSpecification.for(ispDirectory);
  const created: DomainEvent = {
    type: 'IspCreated',
    data: { ispId: 'acme', origin: 'DEFAULT', name: 'Acme', domains: ['acme.example'] },
  };

  it('makes a row of a created ISP and follows its edits and deletion', () => {
    given(inLog('isp-acme', [created])).then({ id: 'acme', name: 'Acme', domains: ['acme.example'], deleted: false });
    given(
      inLog('isp-acme', [
        created,
        { type: 'IspEdited', data: { ispId: 'acme', changes: { name: 'Acme Mail' }, previous: { name: 'Acme' } } },
        { type: 'IspDeleted', data: { ispId: 'acme' } },
      ]),
    ).then({ name: 'Acme Mail', deleted: true, version: 3 });
  });
});

describe('apiTokens', () => {
  const given = ProjectionSpecification.for(apiTokens);
  const created: DomainEvent = {
    type: 'ApiTokenCreated',
    data: { tokenId: 't1', name: 'MTA', role: 'mta', secretHash: 'a'.repeat(64) },
  };

  it('keeps the hash and role of a created token, and marks a revoked one', () => {
    given(inLog('apiToken-t1', [created])).then({ id: 't1', role: 'mta', secretHash: 'a'.repeat(64), revoked: false });
    given(inLog('apiToken-t1', [created, { type: 'ApiTokenRevoked', data: { tokenId: 't1' } }])).then({
      revoked: true,
      version: 2,
    });
  });
});
