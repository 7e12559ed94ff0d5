import { SqliteEventStore } from './sqlite.js';
import type { EventStore } from './port.js';

/**
 * The store the configuration names: PostgreSQL when DATABASE_URL is set, EventStoreDB when its
 * connection string is, else the embedded SQLite file. A server store's client is only loaded when used.
 */
export async function openEventStore(config: {
  eventStoreConnectionString: string | null;
  databaseUrl?: string | null;
  databaseSchema?: string;
  sqlitePath: string;
}): Promise<EventStore> {
  if (config.databaseUrl) {
    const { PostgresEventStore } = await import('./postgres.js');
    return PostgresEventStore.open(config.databaseUrl, { schema: config.databaseSchema });
  }
  if (config.eventStoreConnectionString) {
    const { openEventStoreDb } = await import('./eventstoredb.js');
    return openEventStoreDb(config.eventStoreConnectionString);
  }
  return new SqliteEventStore(config.sqlitePath);
}
