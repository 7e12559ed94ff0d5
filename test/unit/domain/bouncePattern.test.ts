import { describe, it, expect } from 'vitest';
import { bouncePatternDecider } from '../../../src/domain/bouncePattern.js';
import {
  ConflictError,
  NotDeletedError,
  NotFoundError,
  ProtectedDefaultError,
  ValidationError,
} from '../../../src/domain/errors.js';
import type { BouncePatternEvent } from '../../../src/domain/events.js';
import type { BouncePatternFields } from '../../../src/domain/types.js';
import { DeciderSpecification } from '../../support/deciderSpecification.js';

const given = DeciderSpecification.for(bouncePatternDecider);
const patternId = 'p1';
const fields: BouncePatternFields = {
  name: 'User unknown',
  type: 'HARD_BOUNCE',
  ispId: null,
  pattern: 'user (is )?unknown',
  message: 'Mailbox does not exist',
  priority: 100,
  enabled: true,
};
const created = (origin: 'DEFAULT' | 'CUSTOM' = 'CUSTOM'): BouncePatternEvent => ({
  type: 'BouncePatternCreated',
  data: { patternId, origin, ...fields },
});
const edited = (changes: Partial<BouncePatternFields>, previous: Partial<BouncePatternFields>): BouncePatternEvent => ({
  type: 'BouncePatternEdited',
  data: { patternId, changes, previous },
});
const deleted: BouncePatternEvent = { type: 'BouncePatternDeleted', data: { patternId } };

describe('CreateBouncePattern', () => {
  it('creates a pattern with trimmed fields', () =>
    given([])
      .when({
        type: 'CreateBouncePattern',
        patternId,
        origin: 'CUSTOM',
        fields: { ...fields, name: '  User unknown ' },
      })
      .then([created()]));

  it('refuses an id that already exists', () =>
    given([created()])
      .when({ type: 'CreateBouncePattern', patternId, origin: 'CUSTOM', fields })
      .thenThrows(ConflictError, (e) => expect(e.currentVersion).toBe(1)));

  it.each([
    ['name', { name: '' }, /must not be empty/],
    ['name', { name: 'x'.repeat(201) }, /at most 200/],
    ['type', { type: 'MAYBE' as never }, /one of HARD_BOUNCE, SOFT_BOUNCE, BOUNCE/],
    ['pattern', { pattern: '(unclosed' }, /not a valid regular expression/],
    ['pattern', { pattern: '(?<=x)user' }, /not a valid regular expression/],
    ['pattern', { pattern: 'a'.repeat(1001) }, /at most 1000/],
    ['pattern', { pattern: '' }, /must not be empty/],
    ['message', { message: 'x'.repeat(2001) }, /at most 2000/],
    ['priority', { priority: 1.5 }, /integer/],
    ['name', { name: 'bad\u0007name' }, /control characters/],
  ])('refuses an invalid %s', (field, override, why) =>
    given([])
      .when({ type: 'CreateBouncePattern', patternId, origin: 'CUSTOM', fields: { ...fields, ...override } })
      .thenThrows(ValidationError, (e) => {
        expect(e.field).toBe(field);
        expect(e.message).toMatch(why);
      }),
  );
});

describe('EditBouncePattern', () => {
  it('records only the changed fields with their previous values', () =>
    given([created()])
      .when({
        type: 'EditBouncePattern',
        patternId,
        expectedVersion: 1,
        changes: { type: 'BOUNCE', name: 'User unknown', priority: 5 },
      })
      .then([edited({ type: 'BOUNCE', priority: 5 }, { type: 'HARD_BOUNCE', priority: 100 })]));

  it('moves a pattern to all ISPs with ispId null', () =>
    given([created(), edited({ ispId: 'gmail' }, { ispId: null })])
      .when({ type: 'EditBouncePattern', patternId, expectedVersion: 2, changes: { ispId: null } })
      .then([edited({ ispId: null }, { ispId: 'gmail' })]));

  it('writes nothing when nothing changes', () =>
    given([created()])
      .when({ type: 'EditBouncePattern', patternId, expectedVersion: 1, changes: { ...fields } })
      .thenNothingHappens());

  it('refuses a stale version and names the current one', () =>
    given([created(), edited({ priority: 5 }, { priority: 100 })])
      .when({ type: 'EditBouncePattern', patternId, expectedVersion: 1, changes: { priority: 7 } })
      .thenThrows(ConflictError, (e) => expect(e.currentVersion).toBe(2)));

  it('refuses an unknown pattern', () =>
    given([])
      .when({ type: 'EditBouncePattern', patternId, expectedVersion: 0, changes: { priority: 1 } })
      .thenThrows(NotFoundError));

  it('refuses a deleted pattern', () =>
    given([created(), deleted])
      .when({ type: 'EditBouncePattern', patternId, expectedVersion: 2, changes: { priority: 1 } })
      .thenThrows(NotFoundError));

  it('refuses an invalid regular expression', () =>
    given([created()])
      .when({ type: 'EditBouncePattern', patternId, expectedVersion: 1, changes: { pattern: '[a-' } })
      .thenThrows(ValidationError, (e) => expect(e.field).toBe('pattern')));
});

describe('DeleteBouncePattern', () => {
  it('deletes a custom pattern', () =>
    given([created()]).when({ type: 'DeleteBouncePattern', patternId, expectedVersion: 1 }).then([deleted]));

  it('never deletes a default pattern', () =>
    given([created('DEFAULT')])
      .when({ type: 'DeleteBouncePattern', patternId, expectedVersion: 1 })
      .thenThrows(ProtectedDefaultError, (e) => expect(e.message).toMatch(/disable/)));

  it('refuses a stale version', () =>
    given([created()]).when({ type: 'DeleteBouncePattern', patternId, expectedVersion: 0 }).thenThrows(ConflictError));

  it('refuses an unknown or already deleted pattern', () => {
    given([]).when({ type: 'DeleteBouncePattern', patternId, expectedVersion: 0 }).thenThrows(NotFoundError);
    given([created(), deleted])
      .when({ type: 'DeleteBouncePattern', patternId, expectedVersion: 2 })
      .thenThrows(NotFoundError);
  });
});

describe('RevertBouncePattern', () => {
  it('brings back the fields of an earlier version as a new event', () =>
    given([created(), edited({ priority: 5 }, { priority: 100 }), edited({ type: 'BOUNCE' }, { type: 'HARD_BOUNCE' })])
      .when({ type: 'RevertBouncePattern', patternId, toVersion: 1 })
      .then([
        {
          type: 'BouncePatternReverted',
          data: {
            patternId,
            toVersion: 1,
            changes: { type: 'HARD_BOUNCE', priority: 100 },
            previous: { type: 'BOUNCE', priority: 5 },
          },
        },
      ]));

  it('refuses a version the pattern never had', () =>
    given([created()]).when({ type: 'RevertBouncePattern', patternId, toVersion: 4 }).thenThrows(ValidationError));
});

describe('RestoreBouncePattern', () => {
  it('restores a deleted pattern', () =>
    given([created(), deleted])
      .when({ type: 'RestoreBouncePattern', patternId })
      .then([{ type: 'BouncePatternRestored', data: { patternId } }]));

  it('refuses a pattern that is not deleted', () =>
    given([created()]).when({ type: 'RestoreBouncePattern', patternId }).thenThrows(NotDeletedError));
});

describe('TakeShippedBouncePattern', () => {
  const release = 'r2';
  const shipped = { ...fields, pattern: 'user (is |was )?unknown' };
  const take = (unlessEdited: boolean) =>
    ({ type: 'TakeShippedBouncePattern', patternId, release, shipped, unlessEdited }) as const;
  const upgraded: BouncePatternEvent = {
    type: 'BouncePatternEdited',
    data: { patternId, release, changes: { pattern: shipped.pattern }, previous: { pattern: fields.pattern } },
  };

  it('brings a default no one changed to the shipped fields, naming the release', () =>
    given([created('DEFAULT')])
      .when(take(true))
      .then([upgraded]));

  it('leaves a default an operator changed alone on an upgrade', () =>
    given([created('DEFAULT'), edited({ priority: 7 }, { priority: 100 })])
      .when(take(true))
      .then([]));

  const takenOverEdit: BouncePatternEvent = {
    type: 'BouncePatternEdited',
    data: {
      patternId,
      release,
      changes: { pattern: shipped.pattern, priority: 100 },
      previous: { pattern: fields.pattern, priority: 7 },
    },
  };

  it('takes the shipped fields when the operator asks, over their own edit', () =>
    given([created('DEFAULT'), edited({ priority: 7 }, { priority: 100 })])
      .when(take(false))
      .then([takenOverEdit]));

  it('follows the next release again once the shipped version was taken', () =>
    given([created('DEFAULT'), edited({ priority: 7 }, { priority: 100 }), takenOverEdit])
      .when({ ...take(true), release: 'r3', shipped: { ...shipped, priority: 90 } })
      .then([
        {
          type: 'BouncePatternEdited',
          data: { patternId, release: 'r3', changes: { priority: 90 }, previous: { priority: 100 } },
        },
      ]));

  it('refuses a custom pattern', () =>
    given([created('CUSTOM')])
      .when(take(false))
      .thenThrows(ValidationError, (e) => expect(e.field).toBe('id')));
});
