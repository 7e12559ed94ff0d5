import type { RecordedEvent } from '../src/domain/events.js';
import type { IspFields, Origin } from '../src/domain/types.js';
import { created, touched, type RowProjection, type Stamped } from './projection.js';

export interface IspRow extends IspFields, Stamped {
  readonly id: string;
  readonly origin: Origin;
  readonly deleted: boolean;
}

/** The ISP directory: one row per ISP stream; the domain index is derived from the live rows. */
export const ispDirectory: RowProjection<IspRow> = {
  name: 'ispDirectory',
  canHandle: ['IspCreated', 'IspEdited', 'IspDeleted'],
  feedsMatcher: true,
  evolve(row, event: RecordedEvent) {
    switch (event.type) {
      case 'IspCreated': {
        const { ispId, ...fields } = event.data;
        return { id: ispId, ...fields, deleted: false, ...created(event) };
      }
      case 'IspEdited':
        return row && { ...touched(row, event), ...event.data.changes };
      case 'IspDeleted':
        return row && { ...touched(row, event), deleted: true };
      default:
        return row;
    }
  },
};
