/** Configuration from the environment; every setting has a default that runs on one machine. */
export interface Config {
  readonly port: number;
  readonly host: string;
  readonly sqlitePath: string;
  /** Set: the log lives in EventStoreDB; unset: in the embedded SQLite file. */
  readonly eventStoreConnectionString: string | null;
  /** Set (postgres://…): the log lives in PostgreSQL, in the tables of `databaseSchema`. */
  readonly databaseUrl: string | null;
  readonly databaseSchema: string;
  readonly production: boolean;
  /** The GraphQL explorer page and schema introspection (off in production unless asked for). */
  readonly explorer: boolean;
  readonly introspection: boolean;
  readonly maxBodyBytes: number;
  readonly bootstrapAdminToken: string | null;
  /** Development only: every request acts as admin without a token. Must be asked for explicitly. */
  readonly authDisabled: boolean;
}

const flag = (value: string | undefined, fallback: boolean): boolean =>
  value === undefined || value === '' ? fallback : ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  if (
    env.BOOTSTRAP_ADMIN_TOKEN !== undefined &&
    env.BOOTSTRAP_ADMIN_TOKEN !== '' &&
    env.BOOTSTRAP_ADMIN_TOKEN.length < 24
  )
    throw new Error('BOOTSTRAP_ADMIN_TOKEN must be at least 24 characters: it grants full access');
  const databaseUrl = env.DATABASE_URL || null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl))
    throw new Error('DATABASE_URL must be a PostgreSQL URL: postgres://user@host:5432/database');
  if (databaseUrl && env.EVENTSTORE_CONNECTION_STRING)
    throw new Error('set DATABASE_URL or EVENTSTORE_CONNECTION_STRING, not both: the log lives in one store');
  return {
    port: integer('PORT', env.PORT, 4000),
    host: env.HOST || '127.0.0.1',
    sqlitePath: env.SQLITE_PATH || './data/events.sqlite',
    eventStoreConnectionString: env.EVENTSTORE_CONNECTION_STRING || null,
    databaseUrl,
    databaseSchema: env.DATABASE_SCHEMA || 'public',
    production,
    explorer: flag(env.GRAPHQL_EXPLORER, !production),
    introspection: flag(env.GRAPHQL_INTROSPECTION, !production),
    maxBodyBytes: integer('MAX_BODY_BYTES', env.MAX_BODY_BYTES, 1_048_576),
    bootstrapAdminToken: env.BOOTSTRAP_ADMIN_TOKEN || null,
    authDisabled: flag(env.AUTH_DISABLED, false),
  };
}
