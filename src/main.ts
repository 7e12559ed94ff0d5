import { loadConfig } from './config.js';
import { startService } from './server.js';

/**
 * Printed before the token is written (stdout to a file or pipe is written synchronously): a token the
 * log holds has been shown. Lost anyway? `npm run cli -- add-admin-token` adds one from the store's side.
 */
function announceAdminToken(secret: string): void {
  console.log(
    [
      '',
      'First admin token (shown once, store it now; it is kept only as a hash):',
      `  ${secret}`,
      'Send it as "Authorization: Bearer <token>" (in the explorer: the Headers tab).',
      'Lost? `npm run cli -- add-admin-token` adds another admin token, with access to the event store.',
      '',
    ].join('\n'),
  );
}

/** A start that cannot happen says why in one line (a busy port, a bad setting), without a stack trace. */
async function start() {
  try {
    const config = loadConfig();
    return { config, service: await startService(config, { announceAdminToken }) };
  } catch (error) {
    console.error(`bounce-patterns cannot start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}

const { config, service } = await start();
const store = config.databaseUrl
  ? `PostgreSQL, schema ${config.databaseSchema}`
  : config.eventStoreConnectionString
    ? 'EventStoreDB'
    : `SQLite file ${config.sqlitePath}`;
console.log(
  `bounce-patterns serving GraphQL on ${service.url} (event store: ${store}; ruleset version ${service.app.runner.checkpoint ?? 'empty'})`,
);
if (config.explorer) console.log(`explorer: open ${service.url} in a browser`);
if (config.authDisabled)
  console.warn(
    'WARNING: AUTH_DISABLED is set: every request acts as admin without a token. Never run this way in production.',
  );

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`${signal} received: finishing requests in flight, then stopping`);
  const forced = setTimeout(() => process.exit(1), 10_000);
  forced.unref();
  service.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error('shutdown failed:', error);
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
