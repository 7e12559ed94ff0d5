import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll } from 'vitest';
import { PostgresEventStore, type PostgresEventStoreOptions } from '../../src/eventstore/postgres.js';

/** The server these machines run (trust authentication); TEST_DATABASE_URL points elsewhere. */
export const postgresUrl = process.env.TEST_DATABASE_URL || 'postgres://root@127.0.0.1:5432/test';

async function probe(): Promise<string | null> {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3_000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return `PostgreSQL: skipped — no server at ${postgresUrl} (${(error as Error).message || String(error)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** null when the server answers; otherwise why the PostgreSQL tests are skipped (printed, never a silent pass). */
export const postgresSkipReason = await probe();
if (postgresSkipReason) console.warn(postgresSkipReason);

/** A schema name of its own per store, so parallel test files (and runs) never share a log. */
export const newSchemaName = () => `bp_test_${randomUUID().replaceAll('-', '')}`;

/**
 * Opens stores on fresh schemas and drops those schemas after the file's tests. Call at the top of a
 * describe block.
 */
export function postgresSchemas() {
  const made = new Set<string>();
  afterAll(async () => {
    if (made.size === 0) return;
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try {
      for (const schema of made) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    } finally {
      await client.end();
    }
  });
  return {
    /** A name registered for dropping, for stores opened by other processes. */
    name(): string {
      const schema = newSchemaName();
      made.add(schema);
      return schema;
    },
    open(options: PostgresEventStoreOptions = {}, url = postgresUrl): Promise<PostgresEventStore> {
      const schema = options.schema ?? newSchemaName();
      made.add(schema);
      return PostgresEventStore.open(url, { pollIntervalMs: 50, ...options, schema });
    },
  };
}

/** Runs SQL on the test server outside any store (tamper, raw late commits, terminating connections). */
export async function withPostgresClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
