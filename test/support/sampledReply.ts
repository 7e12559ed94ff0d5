import type { SampledReply } from '../../src/domain/recentSample.js';

/** A sampled template whose text is its key. */
export const sampledReply = (key: string, lastSeenAt = 0, count = 1): SampledReply => ({
  key,
  template: key,
  ispId: null,
  type: 'BOUNCE',
  count,
  lastSeenAt,
});
