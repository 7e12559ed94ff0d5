import { SqliteEventStore } from './sqlite.js';
import type { EventStore } from './port.js';

/**
 * The store the configuration names: EventStoreDB when a connection string is set, else the
 * embedded SQLite file. The EventStoreDB client (gRPC) is only loaded when it is used.
 */
export async function openEventStore(config: {
  eventStoreConnectionString: string | null;
  sqlitePath: string;
}): Promise<EventStore> {
  if (config.eventStoreConnectionString) {
    const { openEventStoreDb } = await import('./eventstoredb.js');
    return openEventStoreDb(config.eventStoreConnectionString);
  }
  return new SqliteEventStore(config.sqlitePath);
}
