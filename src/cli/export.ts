import { UsageError } from './usageError.js';
import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import type { RecordedEvent } from '../domain/events.js';
import type { EventStore } from '../eventstore/port.js';
import { auditEntryOf, type AuditEntry } from '../../projections/auditLog.js';
import { openConfiguredStore, toJson, withStore } from './stores.js';

export const usage = 'export --format jsonl|csv [--out <file>]   the audit trail, one entry per event, oldest first';

export type ExportFormat = 'jsonl' | 'csv';

const CSV_COLUMNS = [
  'position',
  'occurredAt',
  'actorId',
  'actorName',
  'actorKind',
  'eventType',
  'aggregateType',
  'aggregateId',
  'version',
  'changes',
  'revertedToVersion',
  'reason',
  'correlationId',
  'causationId',
  'commandId',
  'eventId',
  'hash',
] as const;

const csvCell = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : typeof value === 'object' ? toJson(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

function csvRow(entry: AuditEntry, hash: string | null): string {
  const { actor, ...rest } = entry;
  const row: Record<(typeof CSV_COLUMNS)[number], unknown> = {
    ...rest,
    actorId: actor.id,
    actorName: actor.name,
    actorKind: actor.kind,
    hash,
  };
  return CSV_COLUMNS.map((column) => csvCell(row[column])).join(',') + '\r\n';
}

/** The audit trail as text lines, produced only as fast as the consumer takes them. */
async function* exportLines(store: EventStore, format: ExportFormat): AsyncGenerator<string> {
  if (format === 'csv') yield CSV_COLUMNS.join(',') + '\r\n';
  for await (const event of store.readAll()) {
    const entry = auditEntryOf(event as RecordedEvent);
    yield format === 'csv' ? csvRow(entry, event.hash) : toJson({ ...entry, hash: event.hash }) + '\n';
  }
}

/**
 * Streams the audit trail into `out`: the pipeline pulls one line at a time and waits whenever `out`
 * is full, so memory stays flat however long the log is.
 */
export async function exportAuditTrail(store: EventStore, format: ExportFormat, out: Writable): Promise<void> {
  await pipeline(Readable.from(exportLines(store, format)), out, { end: out !== process.stdout });
}

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { format: { type: 'string' }, out: { type: 'string' } } });
  if (values.format !== 'jsonl' && values.format !== 'csv') throw new UsageError('--format must be jsonl or csv');
  const format = values.format;
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  await withStore(await openConfiguredStore(), (store) => exportAuditTrail(store, format, out));
  return 0;
}
