import { copyFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { EventMetadata } from '../../src/domain/events.js';

/** A row of the SQLite store's events table, as a test with direct access to the file reads it. */
export interface EventRow {
  position: number;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  data: string;
  metadata: string;
  hash: string;
}

/** What the chain hashes of a row (the position left to the caller: it is what some tests change). */
export const hashedOf = (row: EventRow) => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  version: row.version,
  type: row.type,
  data: JSON.parse(row.data) as unknown,
  metadata: JSON.parse(row.metadata) as EventMetadata,
});

/** Copies a log file to `path` and changes the copy with `tamper`, as someone with write access to it would. */
export function tamperedCopy(source: string, path: string, tamper: (db: Database.Database) => void): string {
  copyFileSync(source, path);
  const db = new Database(path);
  tamper(db);
  db.close();
  return path;
}
