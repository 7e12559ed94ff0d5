import type { RecordedEvent } from '../src/domain/events.js';
import type { BouncePatternFields, Origin } from '../src/domain/types.js';
import { created, touched, type RowProjection, type Stamped } from './projection.js';

export interface BouncePatternRow extends BouncePatternFields, Stamped {
  readonly id: string;
  readonly origin: Origin;
  /** Deleted rows stay (a restore brings them back) but leave the list and the matcher. */
  readonly deleted: boolean;
}

/** The admin list of bounce patterns: one row per pattern stream. */
export const bouncePatternList: RowProjection<BouncePatternRow> = {
  name: 'bouncePatternList',
  canHandle: [
    'BouncePatternCreated',
    'BouncePatternEdited',
    'BouncePatternReverted',
    'BouncePatternDeleted',
    'BouncePatternRestored',
  ],
  feedsMatcher: true,
  evolve(row, event: RecordedEvent) {
    switch (event.type) {
      case 'BouncePatternCreated': {
        const { patternId, ...fields } = event.data;
        return { id: patternId, ...fields, deleted: false, ...created(event) };
      }
      case 'BouncePatternEdited':
      case 'BouncePatternReverted':
        return row && { ...touched(row, event), ...event.data.changes };
      case 'BouncePatternDeleted':
        return row && { ...touched(row, event), deleted: true };
      case 'BouncePatternRestored':
        return row && { ...touched(row, event), deleted: false };
      default:
        return row;
    }
  },
};
