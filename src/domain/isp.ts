import type { Decider } from './decider.js';
import { ConflictError, NotFoundError, ProtectedDefaultError } from './errors.js';
import type { IspEvent } from './events.js';
import { diffFields, hasChanges } from './changes.js';
import type { IspFields, Origin } from './types.js';
import { ISP_FIELDS, fieldNames, validateFields } from './validation.js';

export type CreateIsp = { type: 'CreateIsp'; ispId: string; origin: Origin; fields: IspFields };
export type EditIsp = { type: 'EditIsp'; ispId: string; expectedVersion: number; changes: Partial<IspFields> };
export type DeleteIsp = { type: 'DeleteIsp'; ispId: string; expectedVersion: number };
export type IspCommand = CreateIsp | EditIsp | DeleteIsp;

export type IspState =
  | { status: 'absent'; version: 0 }
  | { status: 'active' | 'deleted'; ispId: string; origin: Origin; fields: IspFields; version: number };

const FIELD_NAMES = fieldNames(ISP_FIELDS);

function requireActive(state: IspState, ispId: string, expectedVersion: number) {
  if (state.status !== 'active') throw new NotFoundError('Isp', ispId);
  if (expectedVersion !== state.version)
    throw new ConflictError(
      `expected version ${expectedVersion} but the ISP is at version ${state.version}`,
      state.version,
    );
  return state;
}

/**
 * Rules that span aggregates (a domain in one ISP only, no deleting an ISP that patterns use)
 * are claimed on reservation streams by the command handler before the events are appended (app/reservations.ts).
 */
export function decide(command: IspCommand, state: IspState): IspEvent[] {
  switch (command.type) {
    case 'CreateIsp': {
      if (state.status !== 'absent') throw new ConflictError(`ISP ${command.ispId} already exists`, state.version);
      const fields = validateFields(ISP_FIELDS, command.fields, { complete: true });
      return [{ type: 'IspCreated', data: { ispId: command.ispId, origin: command.origin, ...fields } }];
    }
    case 'EditIsp': {
      const current = requireActive(state, command.ispId, command.expectedVersion);
      const diff = diffFields(current.fields, validateFields(ISP_FIELDS, command.changes), FIELD_NAMES);
      return hasChanges(diff) ? [{ type: 'IspEdited', data: { ispId: command.ispId, ...diff } }] : [];
    }
    case 'DeleteIsp': {
      const current = requireActive(state, command.ispId, command.expectedVersion);
      if (current.origin === 'DEFAULT') throw new ProtectedDefaultError('default ISPs cannot be deleted');
      return [{ type: 'IspDeleted', data: { ispId: command.ispId } }];
    }
  }
}

export function evolve(state: IspState, event: IspEvent): IspState {
  switch (event.type) {
    case 'IspCreated': {
      const { ispId, origin, ...fields } = event.data;
      return { status: 'active', ispId, origin, fields, version: 1 };
    }
    case 'IspEdited': {
      if (state.status === 'absent') throw new Error('IspEdited applied to an ISP that does not exist');
      return { ...state, fields: { ...state.fields, ...event.data.changes }, version: state.version + 1 };
    }
    case 'IspDeleted': {
      if (state.status === 'absent') throw new Error('IspDeleted applied to an ISP that does not exist');
      return { ...state, status: 'deleted', version: state.version + 1 };
    }
  }
}

export const ispDecider: Decider<IspCommand, IspEvent, IspState> = {
  decide,
  evolve,
  initialState: () => ({ status: 'absent', version: 0 }),
};
