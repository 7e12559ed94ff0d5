import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { EventMetadata } from '../domain/events.js';
import { chainHash } from './chain.js';
import { sqlCount, sqlPage, sqlPositionAt, type SqlColumns } from './logFilter.js';
import { pollingSubscription } from './pollingSubscription.js';
import {
  StoreUnavailable,
  WrongExpectedVersion,
  type AppendResult,
  type EventStore,
  type EventToAppend,
  type ExpectedVersion,
  type LogFilter,
  type LogRange,
  type StoredEvent,
  type SubscriptionHandler,
} from './port.js';

export interface PostgresEventStoreOptions {
  /** The PostgreSQL schema holding the tables (created when missing). */
  schema?: string;
  /** Safety net under LISTEN/NOTIFY: a subscription also looks for new events this often. */
  pollIntervalMs?: number;
  batchSize?: number;
  /** How long a subscription waits for a hole in the positions to fill before it reads past it. */
  staleGapMs?: number;
  poolSize?: number;
  /** How long an append waits for the one before it, and how long a silent writer may hold the log. */
  lockTimeoutMs?: number;
  /**
   * A server that stops answering without closing the connection (a network partition) is noticed by the
   * listening connection's heartbeat after at most twice this, and by any query after `lockTimeoutMs` + 5 s.
   */
  heartbeatMs?: number;
  /** Backoff of the LISTEN connection after the server went away: first delay, doubled up to the max. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

/** Each entry upgrades the schema by one version; entries are never edited once released. */
const MIGRATIONS: readonly ((schema: string) => string)[] = [
  (s) => `
    CREATE TABLE ${s}.events (
      position    bigint      PRIMARY KEY,
      stream_id   text        NOT NULL,
      version     integer     NOT NULL,
      event_id    text        NOT NULL,
      type        text        NOT NULL,
      -- json, not jsonb: the text is kept as written, so the hash chain recomputes from what was hashed.
      data        json        NOT NULL,
      metadata    json        NOT NULL,
      hash        text        NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
      UNIQUE (stream_id, version),
      UNIQUE (stream_id, event_id)
    )`,
  // What the audit trail filters on (see LOG_COLUMNS), with the stream for its stream conditions; times compare
  // byte by byte, whatever the database's collation.
  (s) => `
    CREATE INDEX events_by_actor ON ${s}.events (((metadata->'actor'->>'id')), position) INCLUDE (stream_id);
    CREATE INDEX events_by_time ON ${s}.events (((metadata->>'occurredAt') COLLATE "C"), position) INCLUDE (stream_id);
    CREATE INDEX events_by_command ON ${s}.events (((metadata->>'commandId')), position) INCLUDE (stream_id);
    CREATE INDEX events_by_type ON ${s}.events (type, position) INCLUDE (stream_id)`,
];

/** What the audit trail filters on, read from the metadata: the indexes of migration 2 are built on these. */
const LOG_COLUMNS: SqlColumns = {
  actorId: "(metadata->'actor'->>'id')",
  occurredAt: `((metadata->>'occurredAt') COLLATE "C")`,
  commandId: "(metadata->>'commandId')",
  streamStartsWith: (placeholder, length) => `left(stream_id, ${length}) = ${placeholder}`,
};

interface Row {
  position: string;
  stream_id: string;
  version: number;
  event_id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
  hash: string;
}

/** SQLSTATE of a lock_timeout that expired. */
const LOCK_NOT_AVAILABLE = '55P03';

const COLUMNS = 'position, stream_id, version, event_id, type, data, metadata, hash';

const toEvent = (row: Row): StoredEvent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  version: row.version,
  position: BigInt(row.position),
  type: row.type,
  data: row.data,
  metadata: row.metadata,
  hash: row.hash,
});

/** Adds a query parameter (bigints as text) and returns its placeholder. */
const parameter =
  (values: unknown[]) =>
  (value: unknown): string =>
    `$${values.push(typeof value === 'bigint' ? String(value) : value)}`;

const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A 63-bit advisory lock key of our own, so stores in different schemas do not wait on each other. */
const lockKey = (name: string) =>
  BigInt.asIntN(64, BigInt(`0x${createHash('sha256').update(name).digest('hex').slice(0, 16)}`));

/** The lock every append of one schema takes: whoever holds it writes the next positions. */
export const appendLockKey = (schema: string): bigint => lockKey(`bounce-patterns events ${schema}`);

/** Connection failures (the server is down, restarting or unreachable), as opposed to errors in what we asked. */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // Any failure of the socket itself (refused, reset, no route: a withdrawn route gives EINVAL).
  if (['connect', 'read', 'write'].includes(String((error as { syscall?: unknown }).syscall))) return true;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    // SQLSTATE class 08 (connection exception), 57P01-57P03 (shut down, crashed, starting up).
    if (/^08|^57P0[1-3]$/.test(code)) return true;
    if (['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND'].includes(code))
      return true;
  }
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|timeout expired|Query read timeout|Client has encountered a connection error|not queryable/i.test(
    error.message,
  );
}

/**
 * The event store on PostgreSQL (node-postgres).
 *
 * Every append runs in one transaction that first takes a transaction-scoped advisory lock, so appends
 * are serialised: the hash chain needs the previous event of the whole log, and positions are assigned
 * as head + 1 under the lock. Positions are therefore dense and commit in their own order: a reader that
 * has seen position p can never later meet a smaller position committing (the late-commit gap of
 * sequence-based stores). We chose this over tracking transaction ids (`pg_snapshot_xmin`) because the
 * chain serialises writers anyway, and because a snapshot horizon is held back by any long transaction in
 * the whole cluster, which would delay every replica. Subscriptions still deliver only a gap-free run of
 * positions, so a row written by anything that bypasses the lock cannot be skipped either (a hole that
 * stays open for `staleGapMs` — a deleted row — is reported and read past).
 *
 * Subscriptions are woken by LISTEN/NOTIFY (one listening connection per store, re-established after the
 * server went away) and poll as a safety net.
 */
export class PostgresEventStore implements EventStore {
  private readonly pool: pg.Pool;
  private readonly table: string;
  private readonly channel: string;
  private readonly lock: bigint;
  private readonly appended = new EventEmitter();
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly staleGapMs: number;
  private readonly lockTimeoutMs: number;
  private readonly heartbeatMs: number;
  private readonly reconnectDelayMs: number;
  private readonly maxReconnectDelayMs: number;
  private listener: pg.Client | null = null;
  private listening: Promise<void> | null = null;
  private closed = false;
  private readonly closing = new AbortController();
  private reachable = true;

  private constructor(
    private readonly config: pg.PoolConfig,
    private readonly schema: string,
    options: PostgresEventStoreOptions,
  ) {
    // A query that gets no answer fails (and its connection is dropped) rather than waiting on TCP for minutes;
    // it may wait for the append lock, so it gets that long and more.
    this.pool = new pg.Pool({
      ...config,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      query_timeout: (options.lockTimeoutMs ?? 10_000) + 5_000,
    });
    // An idle connection the server closed must not crash the process: the pool drops it and opens another.
    this.pool.on('error', (error) => this.noteFailure(error));
    this.table = `${quoteIdentifier(schema)}.events`;
    this.channel = `bounce_patterns_events_${createHash('sha256').update(schema).digest('hex').slice(0, 16)}`;
    this.lock = appendLockKey(schema);
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.batchSize = options.batchSize ?? 1_000;
    this.staleGapMs = options.staleGapMs ?? 10_000;
    this.lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
    this.heartbeatMs = options.heartbeatMs ?? 5_000;
    this.reconnectDelayMs = options.reconnectDelayMs ?? 100;
    this.maxReconnectDelayMs = options.maxReconnectDelayMs ?? 5_000;
    this.appended.setMaxListeners(0);
  }

  /** Connects, creates or upgrades the schema, and starts listening for other processes' appends. */
  static async open(connectionString: string, options: PostgresEventStoreOptions = {}): Promise<PostgresEventStore> {
    const store = new PostgresEventStore({ connectionString }, options.schema ?? 'public', options);
    try {
      await store.migrate();
    } catch (error) {
      await store.close();
      throw error;
    }
    return store;
  }

  /** Applies the migrations this schema lacks; concurrent starts wait on one lock and apply each once. */
  private async migrate(): Promise<void> {
    const schema = quoteIdentifier(this.schema);
    await this.transaction('BEGIN', async (client) => {
      await client.query(`SELECT pg_advisory_xact_lock(${lockKey(`bounce-patterns migrations ${this.schema}`)})`);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ v: number | null }>(
        `SELECT max(version) AS v FROM ${schema}.schema_migrations`,
      );
      for (let version = (rows[0]?.v ?? 0) + 1; version <= MIGRATIONS.length; version++) {
        await client.query(MIGRATIONS[version - 1]!(schema));
        await client.query(`INSERT INTO ${schema}.schema_migrations (version) VALUES ($1)`, [version]);
      }
    });
  }

  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedVersion): Promise<AppendResult> {
    if (events.length === 0) throw new Error('nothing to append');
    // The lock in a statement of its own: in READ COMMITTED the next statements' snapshots are taken after
    // it is held, so they see every append committed before ours. A writer that vanishes mid-append (a
    // partitioned host) would hold the lock until TCP noticed: the server ends such a session instead.
    const begin = `BEGIN; SET LOCAL lock_timeout = ${this.lockTimeoutMs}; SET LOCAL idle_in_transaction_session_timeout = ${this.lockTimeoutMs}; SELECT pg_advisory_xact_lock(${this.lock})`;
    const result = await this.transaction(begin, async (client) => {
      const { rows } = await client.query<{
        current: number | null;
        retried_version: number | null;
        retried_position: string | null;
        head_position: string | null;
        head_hash: string | null;
      }>(
        `SELECT (SELECT max(version) FROM ${this.table} WHERE stream_id = $1) AS current,
                r.version AS retried_version, r.position AS retried_position,
                h.position AS head_position, h.hash AS head_hash
           FROM (SELECT 1) one
           LEFT JOIN ${this.table} r ON r.stream_id = $1 AND r.event_id = $2
           LEFT JOIN (SELECT position, hash FROM ${this.table} ORDER BY position DESC LIMIT 1) h ON true`,
        [streamId, events[events.length - 1]!.eventId],
      );
      const state = rows[0]!;
      // A retried command: its events are already in this stream.
      if (state.retried_position !== null)
        return { nextVersion: state.retried_version!, position: BigInt(state.retried_position) };
      const current = state.current ?? 0;
      if (expected !== 'any' && expected !== current) throw new WrongExpectedVersion(streamId, expected, current);

      let previousHash = state.head_hash;
      let position = BigInt(state.head_position ?? 0);
      const values: unknown[] = [];
      const tuples: string[] = [];
      events.forEach((event, index) => {
        const version = current + index + 1;
        position += 1n;
        const hash = chainHash(previousHash, { ...event, streamId, version, position });
        const n = values.length;
        tuples.push(`($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}, $${n + 7}, $${n + 8})`);
        values.push(
          String(position),
          streamId,
          version,
          event.eventId,
          event.type,
          JSON.stringify(event.data),
          JSON.stringify(event.metadata),
          hash,
        );
        previousHash = hash;
      });
      values.push(this.channel, String(position));
      // The notification is delivered at commit, to every listening replica.
      await client.query(
        `WITH inserted AS (INSERT INTO ${this.table} (${COLUMNS}) VALUES ${tuples.join(', ')} RETURNING 1)
         SELECT pg_notify($${values.length - 1}, $${values.length}) FROM inserted LIMIT 1`,
        values,
      );
      return { nextVersion: current + events.length, position };
    });
    this.appended.emit('appended');
    return result;
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    const { rows } = await this.query<Row>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE stream_id = $1 ORDER BY version`,
      [streamId],
    );
    return rows.map(toEvent);
  }

  async *readAll(options: { after?: bigint | null; maxCount?: number } = {}): AsyncIterable<StoredEvent> {
    let after = options.after ?? 0n;
    let left = options.maxCount ?? Infinity;
    while (left > 0) {
      const rows = await this.readAfter(after, Math.min(this.batchSize, left));
      if (rows.length === 0) return;
      for (const row of rows) yield toEvent(row);
      after = BigInt(rows[rows.length - 1]!.position);
      left -= rows.length;
    }
  }

  subscribeAll(after: bigint | null, handler: SubscriptionHandler) {
    void this.listen();
    let gapSince: number | null = null;
    /** The events after `from` up to the first hole in the positions; a hole at the start is waited for. */
    const readBatch = async (from: bigint | null): Promise<StoredEvent[] | null> => {
      let rows: Row[];
      try {
        rows = await this.readAfter(from ?? 0n, this.batchSize);
      } catch (error) {
        // The server is away: keep the checkpoint and try again at the next poll.
        if (error instanceof StoreUnavailable && !this.closed) return null;
        throw error;
      }
      let next = (from ?? 0n) + 1n;
      const run = rows.findIndex((row) => BigInt(row.position) !== next++);
      if (run === -1 || run > 0) {
        gapSince = null;
        return rows.slice(0, run === -1 ? rows.length : run).map(toEvent);
      }
      gapSince ??= Date.now();
      if (Date.now() - gapSince < this.staleGapMs) return null;
      console.warn(
        `event store: positions after ${from ?? 0n} stayed missing for ${this.staleGapMs} ms; reading past them`,
      );
      gapSince = null;
      return rows.map(toEvent);
    };
    return pollingSubscription(
      after,
      handler,
      readBatch,
      (wake) => {
        this.appended.on('appended', wake);
        return () => this.appended.off('appended', wake);
      },
      this.pollIntervalMs,
    );
  }

  async headPosition(): Promise<bigint | null> {
    const { rows } = await this.query<{ head: string | null }>(`SELECT max(position) AS head FROM ${this.table}`);
    return rows[0]?.head == null ? null : BigInt(rows[0].head);
  }

  async readLog(filter: LogFilter, range: LogRange): Promise<StoredEvent[]> {
    const values: unknown[] = [];
    const sql = sqlPage(filter, range, LOG_COLUMNS, parameter(values), `SELECT ${COLUMNS} FROM ${this.table}`);
    return (await this.query<Row>(sql, values)).rows.map(toEvent);
  }

  async countLog(filter: LogFilter): Promise<number> {
    const values: unknown[] = [];
    const { rows } = await this.query<{ n: string }>(
      sqlCount(filter, LOG_COLUMNS, parameter(values), this.table),
      values,
    );
    return Number(rows[0]!.n);
  }

  async positionAt(at: string, filter: LogFilter): Promise<bigint | null> {
    const values: unknown[] = [];
    const sql = sqlPositionAt(at, filter, LOG_COLUMNS, parameter(values), this.table);
    const { rows } = await this.query<{ position: string }>(sql, values);
    return rows[0] ? BigInt(rows[0].position) : null;
  }

  /** false while the server cannot be reached (its last query or the listening connection failed). */
  isReachable(): boolean {
    return this.reachable;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closing.abort();
    this.appended.removeAllListeners();
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
    await this.pool.end();
  }

  private async readAfter(after: bigint, limit: number): Promise<Row[]> {
    const { rows } = await this.query<Row>(
      `SELECT ${COLUMNS} FROM ${this.table} WHERE position > $1 ORDER BY position LIMIT $2`,
      [String(after), limit],
    );
    return rows;
  }

  private async query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      const result = await this.pool.query<R>(text, values);
      this.reachable = true;
      return result;
    } catch (error) {
      throw this.translate(error);
    }
  }

  private async transaction<T>(begin: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw this.translate(error);
    }
    // The pool only listens for errors on idle connections: one that fails while checked out (the server
    // shutting down mid-transaction) would otherwise throw an unhandled 'error' and end the process.
    const onError = (error: Error) => this.noteFailure(error);
    client.on('error', onError);
    let broken: unknown;
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      this.reachable = true;
      return result;
    } catch (error) {
      if (isConnectionError(error)) broken = error;
      else
        broken = await client.query('ROLLBACK').then(
          () => undefined,
          (rollback: unknown) => rollback,
        );
      throw this.translate(error);
    } finally {
      // A connection that failed is thrown away rather than handed to the next caller.
      client.release(broken instanceof Error ? broken : undefined);
      client.off('error', onError);
    }
  }

  private translate(error: unknown): unknown {
    if ((error as { code?: unknown }).code === LOCK_NOT_AVAILABLE)
      return new StoreUnavailable(`another append held the event log for more than ${this.lockTimeoutMs} ms`, {
        cause: error,
      });
    if (!isConnectionError(error)) return error;
    this.noteFailure(error);
    return new StoreUnavailable('PostgreSQL cannot be reached', { cause: error });
  }

  private noteFailure(error: unknown): void {
    if (isConnectionError(error)) this.reachable = false;
  }

  /**
   * An idle listening connection to a server that vanished without closing it would wait for TCP for
   * minutes: a query that gets no answer in time drops the connection, and the listener reconnects.
   */
  private heartbeat(client: pg.Client): NodeJS.Timeout {
    let pending = false;
    const timer = setInterval(() => {
      if (pending) return;
      pending = true;
      client
        .query({ text: 'SELECT 1', query_timeout: this.heartbeatMs } as pg.QueryConfig)
        .catch((error: unknown) => {
          this.noteFailure(error);
          (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
        })
        .finally(() => {
          pending = false;
        });
    }, this.heartbeatMs);
    timer.unref();
    return timer;
  }

  /** One connection LISTENs for every subscription of this store; after a failure it reconnects with backoff. */
  private listen(): Promise<void> {
    this.listening ??= (async () => {
      for (let attempt = 0; !this.closed; attempt++) {
        const client = new pg.Client({ ...this.config, connectionTimeoutMillis: 5_000, keepAlive: true });
        const ended = new Promise<void>((resolve) => {
          client.on('error', (error) => {
            this.noteFailure(error);
            resolve();
          });
          client.on('end', () => resolve());
        });
        client.on('notification', () => this.appended.emit('appended'));
        try {
          await client.connect();
          await client.query(`LISTEN ${quoteIdentifier(this.channel)}`);
          this.listener = client;
          this.reachable = true;
          attempt = 0;
          // Appends may have committed while nobody listened.
          this.appended.emit('appended');
          const heartbeat = this.heartbeat(client);
          await ended;
          clearInterval(heartbeat);
        } catch (error) {
          this.noteFailure(error);
        }
        this.listener = null;
        // A connection to a partitioned server may never finish closing: give it a second.
        await Promise.race([client.end().catch(() => undefined), sleep(1_000, undefined, { ref: false })]);
        if (this.closed) return;
        this.reachable = false;
        const delay = Math.min(this.reconnectDelayMs * 2 ** attempt, this.maxReconnectDelayMs);
        await sleep(delay, undefined, { signal: this.closing.signal }).catch(() => undefined);
      }
    })();
    return this.listening;
  }
}
