import { UsageError } from './usageError.js';
import { loadConfig } from '../config.js';
import { openEventStore } from '../eventstore/open.js';
import type { EventStore } from '../eventstore/port.js';
import { SqliteEventStore } from '../eventstore/sqlite.js';

/** The store the server would use (SQLITE_PATH, DATABASE_URL or EVENTSTORE_CONNECTION_STRING). */
export async function openConfiguredStore(): Promise<EventStore> {
  return openEventStore(loadConfig());
}

/**
 * `sqlite:<path>`, `postgres://…[?schema=<schema>]`, or `esdb:<connection string>` (a bare `esdb://…` or
 * `esdb+discover://…` works too).
 */
export async function openStoreSpec(
  spec: string,
  /** A bulk copy's target: nothing is acknowledged before the copy is compared whole (no checkpoint per append). */
  bulk = false,
): Promise<EventStore> {
  if (spec.startsWith('sqlite:'))
    return new SqliteEventStore(spec.slice('sqlite:'.length), { checkpointEachAppend: !bulk });
  if (/^postgres(ql)?:\/\//.test(spec)) {
    const url = new URL(spec);
    const schema = url.searchParams.get('schema') ?? 'public';
    url.searchParams.delete('schema');
    const { PostgresEventStore } = await import('../eventstore/postgres.js');
    return PostgresEventStore.open(url.toString(), { schema });
  }
  if (spec.startsWith('esdb:')) {
    const connection = /^esdb(\+discover)?:\/\//.test(spec) ? spec : spec.slice('esdb:'.length);
    const { openEventStoreDb } = await import('../eventstore/eventstoredb.js');
    return openEventStoreDb(connection);
  }
  throw new UsageError(`not a store: ${spec} (sqlite:<path>, postgres://… or esdb:<connection string>)`);
}

/** Runs `work` on the store and closes it whatever happens. */
export async function withStore<T>(store: EventStore, work: (store: EventStore) => Promise<T>): Promise<T> {
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** JSON with positions (bigint) as decimal strings, as the GraphQL API writes them. */
export const toJson = (value: unknown, indent?: number): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v), indent);
