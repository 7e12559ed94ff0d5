import type { SampledReply } from '../domain/recentSample.js';
import {
  BUCKET,
  type HitCount,
  type HitQuery,
  type HitRow,
  type StatisticsBatch,
  type StatisticsStore,
  type UnmatchedGroup,
  type UnmatchedQuery,
} from './port.js';

const hitKey = (h: HitCount) => [h.patternId, h.start, h.span, h.type, h.matchedBy, h.ispId].join('\u0000');

/** The `ON CONFLICT DO UPDATE` of a map. */
function upsert<T>(rows: Map<string, T>, key: string, row: T, merge: (old: T) => T): void {
  const old = rows.get(key);
  rows.set(key, old === undefined ? row : merge(old));
}

/** Statistics in memory, for unit tests and for stores that keep none (they are lost on restart). */
export class MemoryStatisticsStore implements StatisticsStore {
  private hitRows = new Map<string, HitCount>();
  private readonly unmatchedRows = new Map<string, UnmatchedGroup>();
  private readonly sampleRows = new Map<string, SampledReply>();

  async add(batch: StatisticsBatch): Promise<void> {
    for (const hit of batch.hits) this.addHit(hit);
    for (const group of batch.unmatched)
      upsert(this.unmatchedRows, group.key, group, (old) => ({
        ...group,
        count: old.count + group.count,
        firstSeenAt: Math.min(old.firstSeenAt, group.firstSeenAt),
        lastSeenAt: Math.max(old.lastSeenAt, group.lastSeenAt),
      }));
    for (const entry of batch.sample)
      upsert(this.sampleRows, entry.key, entry, (old) => ({
        ...entry,
        count: old.count + entry.count,
        lastSeenAt: Math.max(old.lastSeenAt, entry.lastSeenAt),
      }));
  }

  private addHit(hit: HitCount): void {
    upsert(this.hitRows, hitKey(hit), hit, (old) => ({
      ...hit,
      count: old.count + hit.count,
      lastAt: Math.max(old.lastAt, hit.lastAt),
    }));
  }

  async prune(limits: { hourlyUntil: number; dropBefore: number; sampleCapacity: number }): Promise<void> {
    const rows = [...this.hitRows.values()];
    this.hitRows = new Map();
    for (const row of rows) {
      if (row.span === 'hour' && row.start < limits.hourlyUntil)
        this.addHit({ ...row, span: 'day', start: row.start - (row.start % BUCKET.day) });
      else this.addHit(row);
    }
    for (const [key, row] of this.hitRows) if (row.start < limits.dropBefore) this.hitRows.delete(key);
    for (const [key, row] of this.unmatchedRows) if (row.lastSeenAt < limits.dropBefore) this.unmatchedRows.delete(key);
    const kept = new Set(
      [...this.sampleRows.values()]
        .filter((row) => row.lastSeenAt >= limits.dropBefore)
        .sort((a, b) => b.lastSeenAt - a.lastSeenAt)
        .slice(0, limits.sampleCapacity)
        .map((row) => row.key),
    );
    for (const key of this.sampleRows.keys()) if (!kept.has(key)) this.sampleRows.delete(key);
  }

  async hits(query: HitQuery): Promise<HitRow[]> {
    const groups = new Map<string, { count: number; lastAt: number } & Partial<HitCount>>();
    for (const row of this.hitRows.values()) {
      if (query.patternId !== undefined && row.patternId !== query.patternId) continue;
      if (query.since !== undefined && row.start < query.since) continue;
      const picked: Partial<HitCount> = {};
      for (const dimension of query.by)
        if (dimension === 'bucket') Object.assign(picked, { start: row.start, span: row.span });
        else Object.assign(picked, { [dimension]: row[dimension] });
      const key = JSON.stringify(picked);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, { ...picked, count: row.count, lastAt: row.lastAt });
      else {
        group.count += row.count;
        group.lastAt = Math.max(group.lastAt, row.lastAt);
      }
    }
    return [...groups.values()];
  }

  async unmatched(query: UnmatchedQuery): Promise<UnmatchedGroup[]> {
    const search = query.search?.toLowerCase();
    return [...this.unmatchedRows.values()]
      .filter(
        (row) =>
          (query.ispId === undefined || query.ispId === null || row.ispId === query.ispId) &&
          (!query.type || row.type === query.type) &&
          (!search || row.template.toLowerCase().includes(search)) &&
          (query.seenSince === undefined || query.seenSince === null || row.lastSeenAt >= query.seenSince),
      )
      .sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : 1))
      .slice(0, query.limit);
  }

  async sample(limit: number): Promise<SampledReply[]> {
    return [...this.sampleRows.values()].sort((a, b) => b.lastSeenAt - a.lastSeenAt).slice(0, limit);
  }

  /** Every row, as one batch that adds them to an empty store (a snapshot). */
  contents(): StatisticsBatch {
    return {
      hits: [...this.hitRows.values()],
      unmatched: [...this.unmatchedRows.values()],
      sample: [...this.sampleRows.values()],
    };
  }

  async close(): Promise<void> {}
}
