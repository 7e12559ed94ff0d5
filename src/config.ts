export const METRICS_MODES = ['off', 'open', 'token'] as const;
export type MetricsMode = (typeof METRICS_MODES)[number];
/** What a start does on a log that fails verification: stop, or serve it read-only with an alarm. */
export const ON_TAMPER = ['refuse', 'read-only'] as const;
export type OnTamper = (typeof ON_TAMPER)[number];
import { LIMITS } from './domain/limits.js';

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
  /** How often a replica reads the log for other processes' appends; null: the store's default. */
  readonly followPollMs: number | null;
  readonly production: boolean;
  /** The GraphQL explorer page and schema introspection (off in production unless asked for). */
  readonly explorer: boolean;
  readonly introspection: boolean;
  readonly maxBodyBytes: number;
  /** Messages that may wait for one subscriber before it is cut off as too slow. */
  readonly subscriptionQueueLimit: number;
  /** Bytes that may wait in one subscriber's send buffer before it is cut off as too slow. */
  readonly subscriptionBufferBytes: number;
  /** How often a subscriber's connection is pinged; one that misses a pong is dropped. */
  readonly subscriptionKeepAliveMs: number;
  /**
   * A token revoked through any replica can write through this one for at most this long after the
   * revocation was acknowledged: a mutation waits (up to as long again) for the replica to have read
   * the log that recently, else it is refused with REPLICA_BEHIND.
   */
  readonly revocationBoundMs: number;
  /** Set: the log is verified against signed checkpoints at start and its head signed (see app/auditSeal.ts). */
  readonly auditSigningKeyFile: string | null;
  readonly auditCheckpointFile: string;
  readonly auditCheckpointEveryMs: number;
  readonly auditCheckpointInit: boolean;
  readonly auditOnTamper: OnTamper;
  readonly bootstrapAdminToken: string | null;
  /** Development only: every request acts as admin without a token. Must be asked for explicitly. */
  readonly authDisabled: boolean;
  /** How often hit counts are written to the store (what a SIGKILL can lose). */
  readonly statisticsFlushMs: number;
  readonly statisticsRetentionDays: number;
  /** Distinct reply templates the recent sample keeps (what a preview replays). */
  readonly statisticsSampleSize: number;
  /** GET /metrics: off, open to anyone who reaches the port, or behind METRICS_TOKEN. */
  readonly metrics: MetricsMode;
  readonly metricsToken: string | null;
}

// A value that is neither is refused rather than read as false: `AUTH_DISABLED=ture` must not surprise.
const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

function flag(name: string, value: string | undefined, fallback: boolean): boolean {
  const text = value?.trim().toLowerCase() ?? '';
  if (text === '') return fallback;
  if (TRUE.includes(text)) return true;
  if (FALSE.includes(text)) return false;
  throw new Error(`${name} must be true or false, got "${value}"`);
}

function integer(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return n;
}

function positive(name: string, value: string | undefined, fallback: number): number {
  const n = integer(name, value, fallback);
  if (n === 0) throw new Error(`${name} must be positive`);
  return n;
}

const NODE_ENVS = ['production', 'development', 'test'];

/** Reads the configuration; a setting that would surprise is refused, saying why in one line (main.ts). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV?.trim().toLowerCase() ?? '';
  if (nodeEnv !== '' && !NODE_ENVS.includes(nodeEnv))
    throw new Error(`NODE_ENV must be one of ${NODE_ENVS.join(', ')} (or unset), got "${env.NODE_ENV}"`);
  const production = nodeEnv === 'production';
  const token = env.BOOTSTRAP_ADMIN_TOKEN ?? '';
  if (token !== '' && !new RegExp(`^\\S{24,${LIMITS.idLength}}$`).test(token))
    throw new Error(
      `BOOTSTRAP_ADMIN_TOKEN must be 24 to ${LIMITS.idLength} characters without spaces (it grants full access and is sent as a bearer token), got ${token.length} characters`,
    );
  const authDisabled = flag('AUTH_DISABLED', env.AUTH_DISABLED, false);
  if (authDisabled && production)
    throw new Error('AUTH_DISABLED opens every operation to anyone: it is refused with NODE_ENV=production');
  const metrics = (env.METRICS || 'off').toLowerCase() as MetricsMode;
  if (!METRICS_MODES.includes(metrics))
    throw new Error(`METRICS must be one of ${METRICS_MODES.join(', ')}, got "${env.METRICS}"`);
  if (metrics === 'token' && (env.METRICS_TOKEN ?? '').length < 24)
    throw new Error('METRICS=token needs METRICS_TOKEN of at least 24 characters');
  const auditOnTamper = (env.AUDIT_ON_TAMPER?.trim().toLowerCase() || 'refuse') as OnTamper;
  if (!ON_TAMPER.includes(auditOnTamper))
    throw new Error(`AUDIT_ON_TAMPER must be one of ${ON_TAMPER.join(', ')}, got "${env.AUDIT_ON_TAMPER}"`);
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
    followPollMs: env.FOLLOW_POLL_MS ? positive('FOLLOW_POLL_MS', env.FOLLOW_POLL_MS, 1) : null,
    production,
    explorer: flag('GRAPHQL_EXPLORER', env.GRAPHQL_EXPLORER, !production),
    introspection: flag('GRAPHQL_INTROSPECTION', env.GRAPHQL_INTROSPECTION, !production),
    maxBodyBytes: integer('MAX_BODY_BYTES', env.MAX_BODY_BYTES, 1_048_576),
    subscriptionQueueLimit: integer('SUBSCRIPTION_QUEUE_LIMIT', env.SUBSCRIPTION_QUEUE_LIMIT, 1_000),
    subscriptionBufferBytes: integer('SUBSCRIPTION_BUFFER_BYTES', env.SUBSCRIPTION_BUFFER_BYTES, 4 * 1_048_576),
    subscriptionKeepAliveMs: integer('SUBSCRIPTION_KEEPALIVE_MS', env.SUBSCRIPTION_KEEPALIVE_MS, 12_000),
    revocationBoundMs: integer('REVOCATION_BOUND_MS', env.REVOCATION_BOUND_MS, 2_000),
    auditSigningKeyFile: env.AUDIT_SIGNING_KEY_FILE?.trim() || null,
    auditCheckpointFile:
      env.AUDIT_CHECKPOINT_FILE?.trim() || `${env.SQLITE_PATH || './data/events.sqlite'}.checkpoints`,
    auditCheckpointEveryMs: integer('AUDIT_CHECKPOINT_EVERY_MS', env.AUDIT_CHECKPOINT_EVERY_MS, 5_000),
    auditCheckpointInit: flag('AUDIT_CHECKPOINT_INIT', env.AUDIT_CHECKPOINT_INIT, false),
    auditOnTamper,
    bootstrapAdminToken: token || null,
    authDisabled,
    statisticsFlushMs: positive('STATISTICS_FLUSH_MS', env.STATISTICS_FLUSH_MS, 5_000),
    statisticsRetentionDays: positive('STATISTICS_RETENTION_DAYS', env.STATISTICS_RETENTION_DAYS, 30),
    statisticsSampleSize: positive('STATISTICS_SAMPLE_SIZE', env.STATISTICS_SAMPLE_SIZE, 50_000),
    metrics,
    metricsToken: env.METRICS_TOKEN || null,
  };
}
