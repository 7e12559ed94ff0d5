import type { Decider } from './decider.js';
import { ConflictError, NotDeletedError, NotFoundError, ProtectedDefaultError, ValidationError } from './errors.js';
import { diffFields, hasChanges } from './changes.js';
import type { BouncePatternEvent } from './events.js';
import type { BouncePatternFields, Origin } from './types.js';
import { BOUNCE_PATTERN_FIELDS, fieldNames, validateFields } from './validation.js';

export type CreateBouncePattern = {
  type: 'CreateBouncePattern';
  patternId: string;
  origin: Origin;
  fields: BouncePatternFields;
};
export type EditBouncePattern = {
  type: 'EditBouncePattern';
  patternId: string;
  expectedVersion: number;
  changes: Partial<BouncePatternFields>;
};
export type DeleteBouncePattern = { type: 'DeleteBouncePattern'; patternId: string; expectedVersion: number };
export type RevertBouncePattern = {
  type: 'RevertBouncePattern';
  patternId: string;
  expectedVersion?: number;
  toVersion: number;
};
export type RestoreBouncePattern = { type: 'RestoreBouncePattern'; patternId: string; expectedVersion?: number };
/**
 * Bring a default to the fields a release ships (a removed default ships disabled). With `unlessEdited`
 * (an upgrade on start) a default whose fields are no longer those last shipped is the operator's: left alone.
 */
export type TakeShippedBouncePattern = {
  type: 'TakeShippedBouncePattern';
  patternId: string;
  expectedVersion?: number;
  release: string;
  shipped: BouncePatternFields;
  unlessEdited: boolean;
};

export type BouncePatternCommand =
  | CreateBouncePattern
  | EditBouncePattern
  | DeleteBouncePattern
  | RevertBouncePattern
  | RestoreBouncePattern
  | TakeShippedBouncePattern;

export type BouncePatternState =
  | { status: 'absent'; version: 0 }
  | {
      status: 'active' | 'deleted';
      patternId: string;
      origin: Origin;
      fields: BouncePatternFields;
      version: number;
      /** The fields as they stood after each version (index = version - 1), for revert. */
      fieldsByVersion: readonly BouncePatternFields[];
      /** A default's fields as a release last shipped them into this stream; null for a custom pattern. */
      shipped: BouncePatternFields | null;
    };

export const BOUNCE_PATTERN_FIELD_NAMES = fieldNames(BOUNCE_PATTERN_FIELDS);

function requireExisting(state: BouncePatternState, patternId: string) {
  if (state.status !== 'active') throw new NotFoundError('BouncePattern', patternId);
  return state;
}

function requireVersion(state: BouncePatternState, expected: number | undefined): void {
  if (expected !== undefined && expected !== state.version)
    throw new ConflictError(
      `expected version ${expected} but the pattern is at version ${state.version}`,
      state.version,
    );
}

export function decide(command: BouncePatternCommand, state: BouncePatternState): BouncePatternEvent[] {
  switch (command.type) {
    case 'CreateBouncePattern': {
      if (state.status !== 'absent')
        throw new ConflictError(`bounce pattern ${command.patternId} already exists`, state.version);
      const fields = validateFields(BOUNCE_PATTERN_FIELDS, command.fields, { complete: true });
      return [
        { type: 'BouncePatternCreated', data: { patternId: command.patternId, origin: command.origin, ...fields } },
      ];
    }
    case 'EditBouncePattern': {
      const current = requireExisting(state, command.patternId);
      requireVersion(state, command.expectedVersion);
      const diff = diffFields(
        current.fields,
        validateFields(BOUNCE_PATTERN_FIELDS, command.changes),
        BOUNCE_PATTERN_FIELD_NAMES,
      );
      return hasChanges(diff) ? [{ type: 'BouncePatternEdited', data: { patternId: command.patternId, ...diff } }] : [];
    }
    case 'DeleteBouncePattern': {
      const current = requireExisting(state, command.patternId);
      requireVersion(state, command.expectedVersion);
      if (current.origin === 'DEFAULT')
        throw new ProtectedDefaultError('default bounce patterns cannot be deleted; disable the pattern instead');
      return [{ type: 'BouncePatternDeleted', data: { patternId: command.patternId } }];
    }
    case 'RevertBouncePattern': {
      const current = requireExisting(state, command.patternId);
      requireVersion(state, command.expectedVersion);
      const target = current.fieldsByVersion[command.toVersion - 1];
      if (!Number.isInteger(command.toVersion) || target === undefined)
        throw new ValidationError('toVersion', `must be a version from 1 to ${current.version}`);
      const diff = diffFields(current.fields, target, BOUNCE_PATTERN_FIELD_NAMES);
      if (!hasChanges(diff)) return [];
      return [
        {
          type: 'BouncePatternReverted',
          data: { patternId: command.patternId, toVersion: command.toVersion, ...diff },
        },
      ];
    }
    case 'RestoreBouncePattern': {
      if (state.status === 'absent') throw new NotFoundError('BouncePattern', command.patternId);
      requireVersion(state, command.expectedVersion);
      if (state.status === 'active') throw new NotDeletedError('the bounce pattern is not deleted');
      return [{ type: 'BouncePatternRestored', data: { patternId: command.patternId } }];
    }
    case 'TakeShippedBouncePattern': {
      const current = requireExisting(state, command.patternId);
      requireVersion(state, command.expectedVersion);
      if (current.origin !== 'DEFAULT') throw new ValidationError('id', 'is a custom pattern: no release ships it');
      if (command.unlessEdited && isEditedSinceShipped(current)) return [];
      const diff = diffFields(current.fields, command.shipped, BOUNCE_PATTERN_FIELD_NAMES);
      if (!hasChanges(diff)) return [];
      return [
        { type: 'BouncePatternEdited', data: { patternId: command.patternId, release: command.release, ...diff } },
      ];
    }
  }
}

/** Whether someone changed a default since a release last shipped it. */
export function isEditedSinceShipped(state: BouncePatternState): boolean {
  if (state.status === 'absent' || state.shipped === null) return false;
  return hasChanges(diffFields(state.shipped, state.fields, BOUNCE_PATTERN_FIELD_NAMES));
}

export function evolve(state: BouncePatternState, event: BouncePatternEvent): BouncePatternState {
  switch (event.type) {
    case 'BouncePatternCreated': {
      const { patternId, origin, ...fields } = event.data;
      const shipped = origin === 'DEFAULT' ? fields : null;
      return { status: 'active', patternId, origin, fields, version: 1, fieldsByVersion: [fields], shipped };
    }
    case 'BouncePatternEdited': {
      const s = existing(state);
      const fields = { ...s.fields, ...event.data.changes };
      const next = nextVersion(s, fields, s.status);
      return event.data.release === undefined ? next : { ...next, shipped: fields };
    }
    case 'BouncePatternReverted': {
      const s = existing(state);
      return nextVersion(s, { ...s.fields, ...event.data.changes }, s.status);
    }
    case 'BouncePatternDeleted':
      return nextVersion(existing(state), existing(state).fields, 'deleted');
    case 'BouncePatternRestored':
      return nextVersion(existing(state), existing(state).fields, 'active');
  }
}

type ExistingPattern = Exclude<BouncePatternState, { status: 'absent' }>;

function existing(state: BouncePatternState): ExistingPattern {
  if (state.status === 'absent') throw new Error('event applied to a bounce pattern that does not exist');
  return state;
}

function nextVersion(
  s: ExistingPattern,
  fields: BouncePatternFields,
  status: ExistingPattern['status'],
): ExistingPattern {
  return { ...s, status, fields, version: s.version + 1, fieldsByVersion: [...s.fieldsByVersion, fields] };
}

export const bouncePatternDecider: Decider<BouncePatternCommand, BouncePatternEvent, BouncePatternState> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent', version: 0 }),
};
