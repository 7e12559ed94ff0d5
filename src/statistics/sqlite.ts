import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { SampledReply } from '../domain/recentSample.js';
import type { HitQuery, HitRow, StatisticsBatch, StatisticsStore, UnmatchedGroup, UnmatchedQuery } from './port.js';
import { HIT_COLUMN, HIT_KEY, hitRowOf, sampledOf, unmatchedOf } from './rows.js';

// Tables of their own beside `events`: nothing here is chained, versioned or read by the projections.
// A missing pattern or ISP is '' (not NULL) so that it takes part in the primary key's conflicts.
const SCHEMA = `
CREATE TABLE IF NOT EXISTS stat_hits (
  start INTEGER NOT NULL, span TEXT NOT NULL, pattern_id TEXT NOT NULL, type TEXT NOT NULL,
  matched_by TEXT NOT NULL, isp_id TEXT NOT NULL, count INTEGER NOT NULL, last_at INTEGER NOT NULL,
  PRIMARY KEY (pattern_id, start, span, type, matched_by, isp_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS stat_hits_start ON stat_hits (start);
CREATE TABLE IF NOT EXISTS stat_unmatched (
  key TEXT PRIMARY KEY, template TEXT NOT NULL, example TEXT NOT NULL, isp_id TEXT NOT NULL, type TEXT NOT NULL,
  matched_by TEXT NOT NULL, count INTEGER NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS stat_sample (
  key TEXT PRIMARY KEY, template TEXT NOT NULL, isp_id TEXT NOT NULL, type TEXT NOT NULL,
  count INTEGER NOT NULL, last_seen INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS stat_sample_last_seen ON stat_sample (last_seen);`;

/**
 * Statistics in the embedded store's SQLite file, in tables outside `events`, through a connection
 * of their own (WAL lets it write between the log's appends). Several processes on one file add up.
 */
export class SqliteStatisticsStore implements StatisticsStore {
  private readonly db: Database.Database;
  private readonly addTx;
  private readonly pruneTx;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path, { timeout: 10_000 });
    this.db.pragma('journal_mode = WAL');
    // Statistics may lose the last flush on a power cut, never the log: NORMAL spares an fsync per flush.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    const addHit = this.db.prepare(
      `INSERT INTO stat_hits (${HIT_KEY}, count, last_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (${HIT_KEY}) DO UPDATE SET count = count + excluded.count, last_at = MAX(last_at, excluded.last_at)`,
    );
    const addUnmatched = this.db.prepare(
      `INSERT INTO stat_unmatched VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET count = count + excluded.count, example = excluded.example,
         first_seen = MIN(first_seen, excluded.first_seen), last_seen = MAX(last_seen, excluded.last_seen)`,
    );
    const addSample = this.db.prepare(
      `INSERT INTO stat_sample VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET count = count + excluded.count, type = excluded.type,
         last_seen = MAX(last_seen, excluded.last_seen)`,
    );
    this.addTx = this.db.transaction((batch: StatisticsBatch) => {
      for (const h of batch.hits)
        addHit.run(h.patternId ?? '', h.start, h.span, h.type, h.matchedBy, h.ispId ?? '', h.count, h.lastAt);
      for (const u of batch.unmatched)
        addUnmatched.run(
          u.key,
          u.template,
          u.example,
          u.ispId ?? '',
          u.type,
          u.matchedBy,
          u.count,
          u.firstSeenAt,
          u.lastSeenAt,
        );
      for (const s of batch.sample) addSample.run(s.key, s.template, s.ispId ?? '', s.type, s.count, s.lastSeenAt);
    });
    const rollUp = this.db.prepare(
      `INSERT INTO stat_hits (${HIT_KEY}, count, last_at)
       SELECT pattern_id, start - start % 86400000, 'day', type, matched_by, isp_id, SUM(count), MAX(last_at)
       FROM stat_hits WHERE span = 'hour' AND start < ? GROUP BY 1, 2, 4, 5, 6
       ON CONFLICT (${HIT_KEY}) DO UPDATE SET count = count + excluded.count, last_at = MAX(last_at, excluded.last_at)`,
    );
    const dropHours = this.db.prepare(`DELETE FROM stat_hits WHERE span = 'hour' AND start < ?`);
    const dropHits = this.db.prepare('DELETE FROM stat_hits WHERE start < ?');
    const dropUnmatched = this.db.prepare('DELETE FROM stat_unmatched WHERE last_seen < ?');
    const dropSample = this.db.prepare(
      `DELETE FROM stat_sample WHERE last_seen < ? OR key NOT IN
         (SELECT key FROM stat_sample ORDER BY last_seen DESC LIMIT ?)`,
    );
    this.pruneTx = this.db.transaction((hourlyUntil: number, dropBefore: number, sampleCapacity: number) => {
      rollUp.run(hourlyUntil);
      dropHours.run(hourlyUntil);
      dropHits.run(dropBefore);
      dropUnmatched.run(dropBefore);
      dropSample.run(dropBefore, sampleCapacity);
    });
  }

  async add(batch: StatisticsBatch): Promise<void> {
    this.addTx.immediate(batch);
  }

  async prune(limits: { hourlyUntil: number; dropBefore: number; sampleCapacity: number }): Promise<void> {
    this.pruneTx.immediate(limits.hourlyUntil, limits.dropBefore, limits.sampleCapacity);
  }

  async hits(query: HitQuery): Promise<HitRow[]> {
    const columns: string[] = query.by.flatMap((d) => (d === 'bucket' ? ['start', 'span'] : [HIT_COLUMN[d]]));
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.patternId !== undefined) {
      where.push('pattern_id = ?');
      params.push(query.patternId);
    }
    if (query.since !== undefined) {
      where.push('start >= ?');
      params.push(query.since);
    }
    const select = [...columns, 'SUM(count) AS count', 'MAX(last_at) AS last_at'].join(', ');
    const sql =
      `SELECT ${select} FROM stat_hits` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      (columns.length > 0 ? ` GROUP BY ${columns.join(', ')}` : '');
    const rows = this.db.prepare(sql).all(...params) as Record<string, string | number>[];
    return rows.filter((row) => row.count !== null).map(hitRowOf);
  }

  async unmatched(query: UnmatchedQuery): Promise<UnmatchedGroup[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.ispId !== undefined && query.ispId !== null) {
      where.push('isp_id = ?');
      params.push(query.ispId);
    }
    if (query.type) {
      where.push('type = ?');
      params.push(query.type);
    }
    if (query.search) {
      where.push('instr(lower(template), lower(?)) > 0');
      params.push(query.search);
    }
    if (query.seenSince !== undefined && query.seenSince !== null) {
      where.push('last_seen >= ?');
      params.push(query.seenSince);
    }
    const sql = `SELECT * FROM stat_unmatched${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
      ORDER BY count DESC, key LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, query.limit) as Record<string, string | number>[];
    return rows.map(unmatchedOf);
  }

  async sample(limit: number): Promise<SampledReply[]> {
    const rows = this.db.prepare('SELECT * FROM stat_sample ORDER BY last_seen DESC LIMIT ?').all(limit) as Record<
      string,
      string | number
    >[];
    return rows.map(sampledOf);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
