import pg from 'pg';
import type { SampledReply } from '../domain/recentSample.js';
import type { HitQuery, HitRow, StatisticsBatch, StatisticsStore, UnmatchedGroup, UnmatchedQuery } from './port.js';
import { HIT_COLUMN, HIT_KEY, hitRowOf, sampledOf, unmatchedOf } from './rows.js';

const schemaSql = (s: string) => `
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE TABLE IF NOT EXISTS ${s}.stat_hits (
  pattern_id TEXT NOT NULL, start BIGINT NOT NULL, span TEXT NOT NULL, type TEXT NOT NULL, matched_by TEXT NOT NULL,
  isp_id TEXT NOT NULL, count BIGINT NOT NULL, last_at BIGINT NOT NULL, PRIMARY KEY (${HIT_KEY}));
CREATE INDEX IF NOT EXISTS stat_hits_start ON ${s}.stat_hits (start);
CREATE TABLE IF NOT EXISTS ${s}.stat_unmatched (
  key TEXT PRIMARY KEY, template TEXT NOT NULL, example TEXT NOT NULL, isp_id TEXT NOT NULL, type TEXT NOT NULL,
  matched_by TEXT NOT NULL, count BIGINT NOT NULL, first_seen BIGINT NOT NULL, last_seen BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS ${s}.stat_sample (
  key TEXT PRIMARY KEY, template TEXT NOT NULL, isp_id TEXT NOT NULL, type TEXT NOT NULL,
  count BIGINT NOT NULL, last_seen BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS stat_sample_last_seen ON ${s}.stat_sample (last_seen);`;

/**
 * Statistics in the PostgreSQL store's schema, in tables outside `events`. A flush is one transaction of
 * three upserts over arrays (`INSERT … SELECT FROM unnest … GROUP BY … ON CONFLICT DO UPDATE`): replicas
 * add up without reading first.
 */
export class PostgresStatisticsStore implements StatisticsStore {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly s: string,
  ) {}

  static async open(connectionString: string, options: { schema?: string } = {}): Promise<PostgresStatisticsStore> {
    const pool = new pg.Pool({ connectionString, max: 2 });
    // An idle connection the server closed must not crash the process; the next flush reconnects.
    pool.on('error', () => undefined);
    const schema = `"${(options.schema ?? 'public').replaceAll('"', '""')}"`;
    // Replicas starting together would race on CREATE … IF NOT EXISTS: one creates, the others wait.
    const store = new PostgresStatisticsStore(pool, schema);
    try {
      await store.transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`bounce-patterns statistics ${schema}`]);
        await client.query(schemaSql(schema));
      });
    } catch (error) {
      await pool.end();
      throw error;
    }
    return store;
  }

  private async transaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await this.pool.connect();
    // The pool listens for errors on idle connections only: one the server ends while it is checked out
    // (a restart mid-flush) would throw an unhandled 'error' and end the process. The flush fails instead,
    // its counts are kept for the next one, and the broken connection is thrown away.
    let broken: Error | undefined;
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release(broken);
      client.off('error', onError);
    }
  }

  add(batch: StatisticsBatch): Promise<void> {
    return this.transaction(async (client) => {
      const h = batch.hits;
      if (h.length > 0)
        await client.query(
          `INSERT INTO ${this.s}.stat_hits (${HIT_KEY}, count, last_at)
           SELECT p, st, sp, t, m, i, SUM(c), MAX(l)
           FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[])
             AS x(p, st, sp, t, m, i, c, l)
           GROUP BY p, st, sp, t, m, i
           ON CONFLICT (${HIT_KEY}) DO UPDATE SET count = stat_hits.count + excluded.count,
             last_at = GREATEST(stat_hits.last_at, excluded.last_at)`,
          [
            h.map((x) => x.patternId ?? ''),
            h.map((x) => x.start),
            h.map((x) => x.span),
            h.map((x) => x.type),
            h.map((x) => x.matchedBy),
            h.map((x) => x.ispId ?? ''),
            h.map((x) => x.count),
            h.map((x) => x.lastAt),
          ],
        );
      const u = batch.unmatched;
      if (u.length > 0)
        await client.query(
          `INSERT INTO ${this.s}.stat_unmatched
           SELECT k, MAX(tp), MAX(e), MAX(i), MAX(t), MAX(m), SUM(c), MIN(f), MAX(l)
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::bigint[])
             AS x(k, tp, e, i, t, m, c, f, l)
           GROUP BY k
           ON CONFLICT (key) DO UPDATE SET count = stat_unmatched.count + excluded.count, example = excluded.example,
             first_seen = LEAST(stat_unmatched.first_seen, excluded.first_seen),
             last_seen = GREATEST(stat_unmatched.last_seen, excluded.last_seen)`,
          [
            u.map((x) => x.key),
            u.map((x) => x.template),
            u.map((x) => x.example),
            u.map((x) => x.ispId ?? ''),
            u.map((x) => x.type),
            u.map((x) => x.matchedBy),
            u.map((x) => x.count),
            u.map((x) => x.firstSeenAt),
            u.map((x) => x.lastSeenAt),
          ],
        );
      const r = batch.sample;
      if (r.length > 0)
        await client.query(
          `INSERT INTO ${this.s}.stat_sample
           SELECT k, MAX(tp), MAX(i), MAX(t), SUM(c), MAX(l)
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[]) AS x(k, tp, i, t, c, l)
           GROUP BY k
           ON CONFLICT (key) DO UPDATE SET count = stat_sample.count + excluded.count, type = excluded.type,
             last_seen = GREATEST(stat_sample.last_seen, excluded.last_seen)`,
          [
            r.map((x) => x.key),
            r.map((x) => x.template),
            r.map((x) => x.ispId ?? ''),
            r.map((x) => x.type),
            r.map((x) => x.count),
            r.map((x) => x.lastSeenAt),
          ],
        );
    });
  }

  prune(limits: { hourlyUntil: number; dropBefore: number; sampleCapacity: number }): Promise<void> {
    return this.transaction(async (client) => {
      await client.query(
        `INSERT INTO ${this.s}.stat_hits (${HIT_KEY}, count, last_at)
         SELECT pattern_id, start - start % 86400000, 'day', type, matched_by, isp_id, SUM(count), MAX(last_at)
         FROM ${this.s}.stat_hits WHERE span = 'hour' AND start < $1 GROUP BY 1, 2, 4, 5, 6
         ON CONFLICT (${HIT_KEY}) DO UPDATE SET count = stat_hits.count + excluded.count,
           last_at = GREATEST(stat_hits.last_at, excluded.last_at)`,
        [limits.hourlyUntil],
      );
      await client.query(`DELETE FROM ${this.s}.stat_hits WHERE span = 'hour' AND start < $1`, [limits.hourlyUntil]);
      await client.query(`DELETE FROM ${this.s}.stat_hits WHERE start < $1`, [limits.dropBefore]);
      await client.query(`DELETE FROM ${this.s}.stat_unmatched WHERE last_seen < $1`, [limits.dropBefore]);
      await client.query(
        `DELETE FROM ${this.s}.stat_sample WHERE last_seen < $1 OR key NOT IN
           (SELECT key FROM ${this.s}.stat_sample ORDER BY last_seen DESC LIMIT $2)`,
        [limits.dropBefore, limits.sampleCapacity],
      );
    });
  }

  async hits(query: HitQuery): Promise<HitRow[]> {
    const columns: string[] = query.by.flatMap((d) => (d === 'bucket' ? ['start', 'span'] : [HIT_COLUMN[d]]));
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.patternId !== undefined) where.push(`pattern_id = $${params.push(query.patternId)}`);
    if (query.since !== undefined) where.push(`start >= $${params.push(query.since)}`);
    const sql =
      `SELECT ${[...columns, 'SUM(count) AS count', 'MAX(last_at) AS last_at'].join(', ')} FROM ${this.s}.stat_hits` +
      (where.length > 0 ? ` WHERE ${where.join(' AND ')}` : '') +
      (columns.length > 0 ? ` GROUP BY ${columns.join(', ')}` : '');
    const { rows } = await this.pool.query(sql, params);
    return (rows as Record<string, string | null>[]).filter((row) => row.count !== null).map(hitRowOf);
  }

  async unmatched(query: UnmatchedQuery): Promise<UnmatchedGroup[]> {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.ispId !== undefined && query.ispId !== null) where.push(`isp_id = $${params.push(query.ispId)}`);
    if (query.type) where.push(`type = $${params.push(query.type)}`);
    if (query.search) where.push(`strpos(lower(template), lower($${params.push(query.search)})) > 0`);
    if (query.seenSince !== undefined && query.seenSince !== null)
      where.push(`last_seen >= $${params.push(query.seenSince)}`);
    const sql = `SELECT * FROM ${this.s}.stat_unmatched${where.length > 0 ? ` WHERE ${where.join(' AND ')}` : ''}
      ORDER BY count DESC, key COLLATE "C" LIMIT $${params.push(query.limit)}`;
    const { rows } = await this.pool.query(sql, params);
    return (rows as Record<string, string>[]).map(unmatchedOf);
  }

  async sample(limit: number): Promise<SampledReply[]> {
    const { rows } = await this.pool.query(`SELECT * FROM ${this.s}.stat_sample ORDER BY last_seen DESC LIMIT $1`, [
      limit,
    ]);
    return (rows as Record<string, string>[]).map(sampledOf);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
