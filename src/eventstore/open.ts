import { openWhenUnlocked, SqliteEventStore } from './sqlite.js';
import type { EventStore } from './port.js';
import { loadSigningKey } from './checkpoints.js';
import { signingStore } from './signing.js';

/**
 * The store the configuration names: PostgreSQL when DATABASE_URL is set, EventStoreDB when its
 * connection string is, else the embedded SQLite file. A server store's client is only loaded when used.
 */
export async function openEventStore(config: {
  eventStoreConnectionString: string | null;
  databaseUrl?: string | null;
  databaseSchema?: string;
  sqlitePath: string;
  /** How often a follower reads the log for other processes' appends (SQLite, PostgreSQL); null: their default. */
  followPollMs?: number | null;
  /** Set: every event appended is signed with this Ed25519 key (see signing.ts). */
  auditSigningKeyFile?: string | null;
}): Promise<EventStore> {
  const store = await openNamedStore(config);
  return config.auditSigningKeyFile ? signingStore(store, loadSigningKey(config.auditSigningKeyFile)) : store;
}

async function openNamedStore(config: Parameters<typeof openEventStore>[0]): Promise<EventStore> {
  if (config.databaseUrl) {
    const { PostgresEventStore } = await import('./postgres.js');
    return PostgresEventStore.open(config.databaseUrl, {
      schema: config.databaseSchema,
      pollIntervalMs: config.followPollMs ?? undefined,
    });
  }
  if (config.eventStoreConnectionString) {
    const { openEventStoreDb } = await import('./eventstoredb.js');
    return openEventStoreDb(config.eventStoreConnectionString);
  }
  return openWhenUnlocked(
    () => new SqliteEventStore(config.sqlitePath, { pollIntervalMs: config.followPollMs ?? undefined }),
  );
}
