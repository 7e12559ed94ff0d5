import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, readFileSync, statfsSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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

const eventsTable = (name: string) => `
CREATE TABLE IF NOT EXISTS ${name} (
  position   INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id   TEXT    NOT NULL,
  stream_id  TEXT    NOT NULL,
  version    INTEGER NOT NULL,
  type       TEXT    NOT NULL,
  data       TEXT    NOT NULL,
  metadata   TEXT    NOT NULL,
  hash       TEXT    NOT NULL,
  UNIQUE (stream_id, version),
  UNIQUE (stream_id, event_id)
);`;

/** `PRAGMA user_version` of a file whose event ids are unique per stream (version 0: unique in the whole log). */
const SCHEMA_VERSION = 1;

/**
 * Creates the table, or upgrades a file written before event ids became unique per stream (the rule
 * every store keeps): the table is copied whole, positions included, in one IMMEDIATE transaction.
 */
function createOrUpgrade(db: Database.Database): void {
  db.transaction(() => {
    if ((db.pragma('user_version', { simple: true }) as number) >= SCHEMA_VERSION) return;
    const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
    const others = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('events', 'sqlite_sequence')")
      .pluck()
      .all() as string[];
    // Another program's database is not turned into an event log.
    if (!exists && others.length > 0)
      throw new Error(`${db.name} is not an event log: it holds other tables (${others.slice(0, 5).join(', ')})`);
    if (exists) {
      db.exec(eventsTable('events_upgraded'));
      db.exec(
        'INSERT INTO events_upgraded SELECT position, event_id, stream_id, version, type, data, metadata, hash FROM events',
      );
      db.exec('DROP TABLE events');
      db.exec('ALTER TABLE events_upgraded RENAME TO events');
    } else {
      db.exec(eventsTable('events'));
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** What the audit trail filters on, read from the metadata: the indexes below are built on these expressions. */
const LOG_COLUMNS: SqlColumns = {
  actorId: "json_extract(metadata, '$.actor.id')",
  occurredAt: "json_extract(metadata, '$.occurredAt')",
  commandId: "json_extract(metadata, '$.commandId')",
  streamStartsWith: (placeholder, length) => `substr(stream_id, 1, ${length}) = ${placeholder}`,
};

/** Each ends with the stream: the audit trail's stream conditions and counts are answered from the index alone. */
const LOG_INDEXES: Readonly<Record<string, string>> = {
  events_by_actor: `(${LOG_COLUMNS.actorId}, position, stream_id)`,
  events_by_time: `(${LOG_COLUMNS.occurredAt}, position, stream_id)`,
  events_by_command: `(${LOG_COLUMNS.commandId}, position, stream_id)`,
  events_by_type: '(type, position, stream_id)',
};

/**
 * Adds the audit trail's indexes a file lacks (files written before them upgrade on open). A file this
 * process may only read goes without: its audit questions are answered by scans.
 */
function indexLog(db: Database.Database): void {
  const present = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all());
  const missing = Object.entries(LOG_INDEXES).filter(([name]) => !present.has(name));
  if (missing.length === 0) return;
  try {
    db.transaction(() => {
      for (const [name, columns] of missing) db.exec(`CREATE INDEX IF NOT EXISTS ${name} ON events ${columns}`);
    }).immediate();
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith('SQLITE_READONLY')) throw error;
  }
}

/**
 * Opens a connection to a SQLite file, retrying while another process holds the lock that creating or
 * switching a new file to WAL needs: SQLite answers that at once, without waiting out the busy timeout,
 * when two services start together on a new file.
 */
export async function openWhenUnlocked<T>(open: () => T, attempts = 20): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return open();
    } catch (error) {
      const busy =
        error instanceof Error &&
        /database is locked|SQLITE_BUSY/.test(`${(error as { code?: string }).code} ${error.message}`);
      if (!busy || attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
    }
  }
}

interface Row {
  position: bigint;
  event_id: string;
  stream_id: string;
  version: bigint;
  type: string;
  data: string;
  metadata: string;
  hash: string;
}

const toEvent = (row: Row): StoredEvent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  version: Number(row.version),
  position: row.position,
  type: row.type,
  data: JSON.parse(row.data) as unknown,
  metadata: JSON.parse(row.metadata) as EventMetadata,
  hash: row.hash,
});

/**
 * What SQLite answers when the file, the disk or the machine refuses (disk full, read-only file or
 * mount, I/O error, a lock held past the busy timeout, a damaged file): the store is unavailable, not the
 * request wrong.
 */
const REFUSALS = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|PROTOCOL|NOMEM|CORRUPT|NOTADB)/;

const refusalOf = (error: unknown): StoreUnavailable | null => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && REFUSALS.test(code)
    ? new StoreUnavailable(`the SQLite file refuses: ${code}`, { cause: error })
    : null;
};

/** The -wal file is cut back to this after each checkpoint (SQLite checkpoints it every 1,000 pages). */
const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;

/** How long a statement waits for another process's lock on the file (synchronously: rare and short). */
const BUSY_TIMEOUT_MS = 10_000;
/** How long an append's checkpoint is tried again while other processes checkpoint or read the file. */
const CHECKPOINT_PATIENCE_MS = 10_000;

/** While writes fail, a probe write is tried at most this often to notice the file is writable again. */
const PROBE_INTERVAL_MS = 1_000;
/**
 * After a full disk, the space the file system must have free again: a probe's one-page write can
 * land in room an aborted append left in the -wal file, and prove nothing.
 */
const FREE_AFTER_FULL_BYTES = 8 * 1024 * 1024;

export interface SqliteEventStoreOptions {
  /** How often a subscription looks for events appended by another process on the same file. */
  pollIntervalMs?: number;
  batchSize?: number;
  /**
   * Copy the -wal file into the main file and empty it before an append is acknowledged (default true), so
   * that a deleted or damaged -wal file loses no acknowledged write. false: for bulk copies checked whole at
   * the end (`migrate`'s target), and the bench's comparison.
   */
  checkpointEachAppend?: boolean;
}

/**
 * The embedded event store: one SQLite file in WAL mode. Appends run in an IMMEDIATE transaction,
 * so the version check, the hash chain and the insert are one atomic step even with several
 * processes on the same file.
 */
export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly appended = new EventEmitter();
  private readonly pollIntervalMs: number;
  private readonly batchSize: number;
  private readonly checkpointEachAppend: boolean;
  private readonly statements;
  private readonly appendTx;
  /** A file beside the log naming its first event: a log emptied or replaced is recognised by it. */
  private readonly marker: string | null;
  private marked = false;
  /** The last refusal, until a write succeeds again. */
  private refusal: StoreUnavailable | null = null;
  private lastProbe = 0;

  constructor(path: string, options: SqliteEventStoreOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    // The busy timeout first: several processes may open a new file at once, and switching it to WAL
    // or creating the table waits for the others' locks instead of failing.
    this.db = new Database(path, { timeout: BUSY_TIMEOUT_MS });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    // After a checkpoint the -wal file is cut back to this size instead of keeping its largest.
    this.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    // Read first: a file this process may only read (a read-only mount) still opens, and serves reads.
    if ((this.db.pragma('user_version', { simple: true }) as number) < SCHEMA_VERSION) createOrUpgrade(this.db);
    this.db.defaultSafeIntegers(true);
    this.marker = path === ':memory:' ? null : `${path}.log-id`;
    this.checkMarker();
    indexLog(this.db);
    this.pollIntervalMs = options.pollIntervalMs ?? 100;
    this.batchSize = options.batchSize ?? 1_000;
    this.checkpointEachAppend = path !== ':memory:' && (options.checkpointEachAppend ?? true);
    this.appended.setMaxListeners(0);
    this.statements = {
      streamVersion: this.db.prepare('SELECT MAX(version) AS v FROM events WHERE stream_id = ?').pluck(),
      retried: this.db.prepare('SELECT * FROM events WHERE stream_id = ? AND event_id = ?'),
      lastHash: this.db.prepare('SELECT hash FROM events ORDER BY position DESC LIMIT 1').pluck(),
      // The position AUTOINCREMENT would give (never one used before), known before the insert: the hash covers it.
      nextPosition: this.db
        .prepare(
          'SELECT COALESCE(MAX(seq), 0) + 1 FROM ' +
            "(SELECT seq FROM sqlite_sequence WHERE name = 'events' UNION ALL SELECT MAX(position) FROM events)",
        )
        .pluck(),
      insert: this.db.prepare(
        'INSERT INTO events (position, event_id, stream_id, version, type, data, metadata, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      readStream: this.db.prepare('SELECT * FROM events WHERE stream_id = ? ORDER BY version'),
      readAfter: this.db.prepare('SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?'),
      head: this.db.prepare('SELECT MAX(position) FROM events').pluck(),
    };
    this.appendTx = this.db.transaction(
      (streamId: string, events: readonly EventToAppend[], expected: ExpectedVersion): AppendResult => {
        const retried =
          events.length > 0
            ? (this.statements.retried.get(streamId, events[events.length - 1]!.eventId) as Row | undefined)
            : undefined;
        if (retried) return { nextVersion: Number(retried.version), position: retried.position };
        const current = Number((this.statements.streamVersion.get(streamId) as bigint | null) ?? 0n);
        if (expected !== 'any' && expected !== current) throw new WrongExpectedVersion(streamId, expected, current);
        let previousHash = (this.statements.lastHash.get() as string | undefined) ?? null;
        let position = (this.statements.nextPosition.get() as bigint) - 1n;
        let version = current;
        for (const event of events) {
          version += 1;
          position += 1n;
          const hash = chainHash(previousHash, { ...event, streamId, version, position });
          this.statements.insert.run(
            position,
            event.eventId,
            streamId,
            version,
            event.type,
            JSON.stringify(event.data),
            JSON.stringify(event.metadata),
            hash,
          );
          previousHash = hash;
        }
        return { nextVersion: version, position };
      },
    );
  }

  async append(streamId: string, events: readonly EventToAppend[], expected: ExpectedVersion): Promise<AppendResult> {
    const result = this.refusing(() => this.appendTx.immediate(streamId, events, expected));
    if (this.checkpointEachAppend) await this.checkpointWal();
    this.refusal = null;
    if (!this.marked) this.checkMarker();
    this.appended.emit('appended');
    return result;
  }

  /**
   * Copies every frame of the -wal file into the main file (synced) and truncates the -wal file to nothing.
   * A -wal file that only ever holds writes not yet acknowledged can be lost or damaged without losing an
   * acknowledged one; an emptied one cannot replay old frames over newer pages either. Other processes'
   * reads are waited out here, between turns of the event loop: the busy timeout would wait them out
   * synchronously, holding every `classify` of this process as long as another process reads.
   */
  private async checkpointWal(): Promise<void> {
    const deadline = Date.now() + CHECKPOINT_PATIENCE_MS;
    for (;;) {
      const [outcome] = this.refusing(() => this.withoutWaiting(() => this.db.pragma('wal_checkpoint(TRUNCATE)'))) as {
        busy: bigint;
      }[];
      if (Number(outcome?.busy) === 0) return;
      // The append is committed (and synced in the -wal file); a retry with the same ids checkpoints again.
      if (Date.now() >= deadline)
        throw new StoreUnavailable(
          'the append is in the -wal file but other processes kept it from being copied into the main file',
        );
      // Another process checkpointing at the same moment makes SQLite answer busy at once, without waiting.
      await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
    }
  }

  private withoutWaiting<T>(statement: () => T): T {
    this.db.pragma('busy_timeout = 0');
    try {
      return statement();
    } finally {
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    }
  }

  async readStream(streamId: string): Promise<StoredEvent[]> {
    return this.refusing(() => (this.statements.readStream.all(streamId) as Row[]).map(toEvent));
  }

  /**
   * Refuses a file that once held a log (its marker names the first event) but now holds none or another;
   * writes the marker once the log has a first event.
   */
  private checkMarker(): void {
    if (this.marker === null) return;
    const first = this.db.prepare('SELECT hash FROM events ORDER BY position LIMIT 1').pluck().get() as
      | string
      | undefined;
    const recorded = existsSync(this.marker) ? readFileSync(this.marker, 'utf8').trim() : null;
    if (recorded !== null && first !== recorded) {
      this.db.close();
      throw new Error(
        `${this.db.name} ${first === undefined ? 'held an event log but now holds no events (emptied or replaced)' : 'holds another log than the one it held'} (${this.marker} names its first event): restore it from a backup, or remove ${this.marker} to start a new log there`,
      );
    }
    if (recorded === null && first !== undefined) writeFileSync(this.marker, `${first}\n`);
    this.marked = first !== undefined;
  }

  /** Runs `work`, turning a refusal of the file or the disk into StoreUnavailable and remembering it. */
  private refusing<T>(work: () => T): T {
    try {
      return work();
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      this.refusal = refusal;
      throw refusal;
    }
  }

  /**
   * False while the file refuses writes. The verdict comes from the last write; while it is a refusal,
   * a probe (rewriting the header's `user_version` in a write transaction, which SQLite writes and syncs
   * like any commit) tells when the disk or the file takes writes again.
   */
  isReachable(): boolean {
    if (this.refusal && Date.now() - this.lastProbe >= PROBE_INTERVAL_MS && this.db.open) {
      this.lastProbe = Date.now();
      const full = this.refusal.message.includes('SQLITE_FULL');
      try {
        this.refusing(() => this.db.transaction(() => this.db.pragma(`user_version = ${SCHEMA_VERSION}`)).immediate());
        if (!full || this.freeBytes() >= FREE_AFTER_FULL_BYTES) this.refusal = null;
      } catch {
        // Still refused: the probe remembered why.
      }
    }
    return this.refusal === null;
  }

  async *readAll(options: { after?: bigint | null; maxCount?: number } = {}): AsyncIterable<StoredEvent> {
    let after = options.after ?? 0n;
    let left = options.maxCount ?? Infinity;
    while (left > 0) {
      const rows = this.statements.readAfter.all(after, Math.min(this.batchSize, left)) as Row[];
      if (rows.length === 0) return;
      for (const row of rows) yield toEvent(row);
      after = rows[rows.length - 1]!.position;
      left -= rows.length;
    }
  }

  subscribeAll(after: bigint | null, handler: SubscriptionHandler) {
    return pollingSubscription(
      after,
      handler,
      (from) => {
        // A read the file refuses for a while (I/O error) is tried again at the next poll, not fatal.
        try {
          return this.refusing(() => (this.statements.readAfter.all(from ?? 0n, this.batchSize) as Row[]).map(toEvent));
        } catch (error) {
          if (error instanceof StoreUnavailable && this.db.open) return null;
          throw error;
        }
      },
      (wake) => {
        this.appended.on('appended', wake);
        return () => this.appended.off('appended', wake);
      },
      this.pollIntervalMs,
    );
  }

  async headPosition(): Promise<bigint | null> {
    return (this.statements.head.get() as bigint | null) ?? null;
  }

  async readLog(filter: LogFilter, range: LogRange): Promise<StoredEvent[]> {
    const values: unknown[] = [];
    const sql = sqlPage(filter, range, LOG_COLUMNS, this.parameter(values), 'SELECT * FROM events');
    return this.refusing(() => (this.db.prepare(sql).all(...values) as Row[]).map(toEvent));
  }

  async countLog(filter: LogFilter): Promise<number> {
    const values: unknown[] = [];
    const sql = sqlCount(filter, LOG_COLUMNS, this.parameter(values), 'events');
    return Number(
      this.refusing(
        () =>
          this.db
            .prepare(sql)
            .pluck()
            .get(...values) as bigint,
      ),
    );
  }

  async positionAt(at: string, filter: LogFilter): Promise<bigint | null> {
    const values: unknown[] = [];
    const sql = sqlPositionAt(at, filter, LOG_COLUMNS, this.parameter(values), 'events');
    return this.refusing(
      () =>
        (this.db
          .prepare(sql)
          .pluck()
          .get(...values) as bigint | undefined) ?? null,
    );
  }

  private parameter(values: unknown[]): (value: unknown) => string {
    return (value) => {
      values.push(value);
      return '?';
    };
  }

  private freeBytes(): number {
    const stats = statfsSync(dirname(this.db.name));
    return stats.bavail * stats.bsize;
  }

  /** The database handle, for tools that inspect the file itself (tamper tests, migration). */
  get database(): Database.Database {
    return this.db;
  }

  async close(): Promise<void> {
    this.appended.removeAllListeners();
    if (this.db.open) this.db.close();
  }
}
