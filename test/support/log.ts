import { SqliteEventStore } from '../../src/eventstore/sqlite.js';

/** The position of the last event in a service's SQLite log, read from the file as another process would. */
export async function logHead(sqlitePath: string): Promise<bigint | null> {
  const store = new SqliteEventStore(sqlitePath);
  try {
    return await store.headPosition();
  } finally {
    await store.close();
  }
}
