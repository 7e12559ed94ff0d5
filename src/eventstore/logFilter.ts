import type { EventMetadata } from '../domain/events.js';
import type { LogFilter, LogRange, StoredEvent } from './port.js';

/** What a filter reads of an event. */
export type FilteredEvent = Pick<StoredEvent, 'streamId' | 'type'> & {
  readonly metadata: Pick<EventMetadata, 'actor' | 'occurredAt'> & { readonly commandId?: string };
};

/** Whether an event passes a filter: what the stores without a query language apply, and new audit entries. */
export function passes(filter: LogFilter): (event: FilteredEvent) => boolean {
  const { streamPrefixes, streamIds, actorId, types, commandId, from, to } = filter;
  return (event) => {
    const { metadata } = event;
    if (streamPrefixes?.length && !streamPrefixes.some((prefix) => event.streamId.startsWith(prefix))) return false;
    if (streamIds?.length && !streamIds.includes(event.streamId)) return false;
    if (actorId !== undefined && metadata.actor?.id !== actorId) return false;
    if (types?.length && !types.includes(event.type)) return false;
    if (commandId !== undefined && metadata.commandId !== commandId) return false;
    if (from !== undefined && !(metadata.occurredAt >= from)) return false;
    return to === undefined || metadata.occurredAt <= to;
  };
}

/** The filter narrowed to events that occurred at or before `at`. */
export function byTime(filter: LogFilter, at: string): LogFilter {
  return { ...filter, to: filter.to !== undefined && filter.to < at ? filter.to : at };
}

/** One page of events already filtered, in any order. */
export function pageOf(events: readonly StoredEvent[], { after, limit, backwards = false }: LogRange): StoredEvent[] {
  const past =
    after == null ? events : events.filter((event) => (backwards ? event.position < after : event.position > after));
  return [...past]
    .sort((a, b) => (a.position === b.position ? 0 : a.position < b.position !== backwards ? -1 : 1))
    .slice(0, limit);
}

/** Of events already filtered, the position of the one that occurred last at or before `at`. */
export function lastPositionAt(events: Iterable<StoredEvent>, at: string): bigint | null {
  let last: StoredEvent | null = null;
  for (const event of events) {
    const time = event.metadata.occurredAt;
    if (time > at) continue;
    if (
      last === null ||
      time > last.metadata.occurredAt ||
      (time === last.metadata.occurredAt && event.position > last.position)
    )
      last = event;
  }
  return last?.position ?? null;
}

/** How a SQL store names what a filter reads: the columns or expressions its indexes are built on. */
export interface SqlColumns {
  readonly actorId: string;
  readonly occurredAt: string;
  readonly commandId: string;
  /** SQL that holds when `stream_id` starts with the parameter `placeholder` of length `length`. */
  readonly streamStartsWith: (placeholder: string, length: number) => string;
}

/** The conditions of a filter as SQL; `param` adds a value and returns its placeholder. */
export function sqlConditions(filter: LogFilter, columns: SqlColumns, param: (value: unknown) => string): string[] {
  const { streamPrefixes, streamIds, actorId, types, commandId, from, to } = filter;
  const list = (values: readonly string[]) => values.map(param).join(', ');
  const conditions: string[] = [];
  if (streamPrefixes?.length)
    conditions.push(
      `(${streamPrefixes.map((prefix) => columns.streamStartsWith(param(prefix), prefix.length)).join(' OR ')})`,
    );
  if (streamIds?.length) conditions.push(`stream_id IN (${list(streamIds)})`);
  if (actorId !== undefined) conditions.push(`${columns.actorId} = ${param(actorId)}`);
  if (types?.length) conditions.push(`type IN (${list(types)})`);
  if (commandId !== undefined) conditions.push(`${columns.commandId} = ${param(commandId)}`);
  if (from !== undefined) conditions.push(`${columns.occurredAt} >= ${param(from)}`);
  if (to !== undefined) conditions.push(`${columns.occurredAt} <= ${param(to)}`);
  return conditions;
}

/** The query of one page: the filter's conditions, the position past `after`, the order and the limit. */
export function sqlPage(
  filter: LogFilter,
  { after, limit, backwards = false }: LogRange,
  columns: SqlColumns,
  param: (value: unknown) => string,
  select: string,
): string {
  const conditions = sqlConditions(filter, columns, param);
  if (after != null) conditions.push(`position ${backwards ? '<' : '>'} ${param(after)}`);
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  return `${select} ${where} ORDER BY position ${backwards ? 'DESC' : 'ASC'} LIMIT ${param(limit)}`;
}

/** The query of `positionAt`: the latest time first, so an index on the time answers it at once. */
export function sqlPositionAt(
  at: string,
  filter: LogFilter,
  columns: SqlColumns,
  param: (value: unknown) => string,
  table: string,
): string {
  const conditions = sqlConditions(byTime(filter, at), columns, param);
  return `SELECT position FROM ${table} WHERE ${conditions.join(' AND ')} ORDER BY ${columns.occurredAt} DESC, position DESC LIMIT 1`;
}

/** The query of `countLog`. */
export function sqlCount(filter: LogFilter, columns: SqlColumns, param: (value: unknown) => string, table: string) {
  const conditions = sqlConditions(filter, columns, param);
  return `SELECT count(*) AS n FROM ${table}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''}`;
}
