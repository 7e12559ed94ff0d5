import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { GraphQLError, getOperationAST } from 'graphql';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { ApiTokens, Principal } from './app/apiTokens.js';
import { App, type AppOptions } from './app/app.js';
import { checkAuditTrail } from './app/auditSeal.js';
import type { Config } from './config.js';
import { LIMITS } from './domain/limits.js';
import { ANONYMOUS_ACTOR, type Actor } from './domain/types.js';
import { type EventStore, LogReadOnly, refusingWrites } from './eventstore/port.js';
import { openEventStore } from './eventstore/open.js';
import { Metrics, mayScrape } from './metrics.js';
import type { StatisticsStore } from './statistics/port.js';
import { SqliteStatisticsStore } from './statistics/sqlite.js';
import { openWhenUnlocked } from './eventstore/sqlite.js';
import { createLoaders, type GraphQLContext, type Services } from './graphql/context.js';
import { formatError, unavailableStatusPlugin } from './graphql/errors.js';
import { ClassifyFastPath } from './graphql/fastPath.js';
import { checkDocument, type GraphQLRequestBody, QUERY_LIMITS } from './graphql/limits.js';
import { buildBouncePatternsSchema } from './graphql/schema.js';
import { ChangeFeed } from './graphql/changeFeed.js';
import { serveSubscriptions } from './http/subscriptionServer.js';
import { loadConsole } from './http/console.js';
import { EXPLORER_ASSET_PREFIX, explorerAsset, explorerPage } from './http/explorer.js';
import { executeGraphQL, RequestError, sendError } from './http/graphqlHttp.js';

export interface RunningService {
  readonly url: string;
  readonly app: App;
  /** What subscriptions hear; its subscriber count is what the server keeps for them. */
  readonly feed: ChangeFeed;
  /** The first admin token, when this start generated it: to be shown once. */
  readonly generatedAdminToken: string | null;
  stop(): Promise<void>;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: header values must not hold control characters
const HEADER_TEXT = /^[^\u0000-\u001f\u007f]{1,100}$/;
const BEARER = new RegExp(`^Bearer\\s+(\\S{1,${LIMITS.idLength}})$`, 'i');

/**
 * The principal of a request: the API token it bears. With AUTH_DISABLED (development only) every
 * request is an admin, recorded under the name its x-actor header gives.
 */
function principalOf(authorization: unknown, actorName: unknown, config: Config, tokens: ApiTokens): Principal | null {
  if (config.authDisabled) {
    const name = actorName;
    const actor: Actor =
      typeof name === 'string' && HEADER_TEXT.test(name.trim())
        ? { id: name.trim(), name: name.trim(), kind: 'user' }
        : ANONYMOUS_ACTOR;
    return { actor, role: 'admin' };
  }
  const secret = typeof authorization === 'string' ? BEARER.exec(authorization)?.[1] : undefined;
  return secret ? tokens.authenticate(secret) : null;
}

function correlationIdOf(req: IncomingMessage): string {
  const id = req.headers['x-correlation-id'];
  return typeof id === 'string' && HEADER_TEXT.test(id) ? id : randomUUID();
}

/**
 * Statistics live beside the log, apart from the rules: tables of their own in the SQLite file or the
 * PostgreSQL schema, streams of their own in EventStoreDB.
 */
async function openStatisticsStore(config: Config): Promise<StatisticsStore> {
  if (config.databaseUrl) {
    const { PostgresStatisticsStore } = await import('./statistics/postgres.js');
    return PostgresStatisticsStore.open(config.databaseUrl, { schema: config.databaseSchema });
  }
  if (config.eventStoreConnectionString) {
    const { openEventStoreDbStatistics } = await import('./statistics/eventstoredb.js');
    return openEventStoreDbStatistics(config.eventStoreConnectionString, {
      retentionDays: config.statisticsRetentionDays,
    });
  }
  return openWhenUnlocked(() => new SqliteStatisticsStore(config.sqlitePath));
}

/** The composition root: store → app → GraphQL → HTTP. */
export async function startService(
  config: Config,
  options: AppOptions & {
    store?: EventStore;
    /** false: every request goes through Apollo (tests compare both paths). */
    fastPath?: boolean;
  } = {},
): Promise<RunningService> {
  // Set when the log fails verification at start and is served read-only: every append is refused.
  let readOnly: LogReadOnly | null = null;
  const store = refusingWrites(options.store ?? (await openEventStore(config)), () => readOnly);
  const statisticsStore = await openStatisticsStore(config);
  const app = new App(store, {
    bootstrapAdminToken: config.bootstrapAdminToken,
    statisticsStore,
    statistics: {
      flushIntervalMs: config.statisticsFlushMs,
      retentionDays: config.statisticsRetentionDays,
      sampleCapacity: config.statisticsSampleSize,
    },
    ...options,
  });
  const metrics = config.metrics === 'off' ? null : new Metrics(app);
  metrics?.instrument(store);
  metrics?.watchAuditTrail(() => readOnly !== null);
  // The port first: a start that cannot serve (a busy port) must fail before it writes anything, such
  // as a first admin token no one would see. Until the app has started, every request is told so.
  let serve = async (_req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
    res.end(JSON.stringify({ status: 'starting' }));
  };
  let stopping = false;
  const server: Server = createServer((req, res) => {
    // While stopping, every answer tells keep-alive clients to go elsewhere.
    if (stopping) res.setHeader('connection', 'close');
    serve(req, res).catch((error: unknown) => {
      if (res.headersSent) return res.destroy();
      if (error instanceof RequestError) return sendError(res, error);
      console.error('request failed:', error);
      sendError(res, new RequestError(500, 'INTERNAL_SERVER_ERROR', 'Internal server error'));
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  let generatedAdminToken: string | null;
  let stopSeal = async () => {};
  try {
    // A tampered log is refused, or served read-only, before anything is served or written.
    const audit = await checkAuditTrail(
      store,
      config.auditSigningKeyFile
        ? {
            keyFile: config.auditSigningKeyFile,
            checkpointFile: config.auditCheckpointFile,
            everyMs: config.auditCheckpointEveryMs,
            initialise: config.auditCheckpointInit,
          }
        : null,
    );
    stopSeal = audit.stop;
    if (audit.broken) {
      const { position, streamId, reason } = audit.broken;
      const broken = `audit trail broken at position ${position}${streamId ? ` (${streamId})` : ''}: ${reason}`;
      if (config.auditOnTamper === 'refuse') throw new Error(broken);
      readOnly = new LogReadOnly(broken);
      console.error(
        `ALARM: ${broken}; serving read-only (AUDIT_ON_TAMPER=read-only): classify and reads are answered, ` +
          'every mutation is refused with AUDIT_TRAIL_BROKEN',
      );
    }
    ({ generatedAdminToken } = await app.start());
  } catch (error) {
    server.close();
    throw error;
  }

  const services: Services = app;
  const feed = new ChangeFeed(config.subscriptionQueueLimit);
  const unfollow = feed.follow(app.runner);
  const schema = await buildBouncePatternsSchema();
  const fastPath = new ClassifyFastPath(schema, app.classifier, metrics?.observeClassify.bind(metrics));
  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError: metrics
      ? (formatted, error) => {
          const answer = formatError(formatted, error);
          metrics.countError(answer.extensions?.code);
          return answer;
        }
      : formatError,
    includeStacktraceInErrorResponses: false,
    // main.ts owns SIGTERM/SIGINT; Apollo's own handlers would stop it a second time and hang the shutdown.
    stopOnTerminationSignals: false,
    introspection: config.introspection,
    // Where the schema is not shown, error messages do not suggest its field names either.
    hideSchemaDetailsFromClientErrors: !config.introspection,
    // Every document passes checkDocument first; a persisted query would reach Apollo without its text.
    persistedQueries: false,
    parseOptions: { maxTokens: QUERY_LIMITS.tokens },
    // No HTTP caching of answers: cache control would only add a hook to every resolved field.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      ...(metrics ? [metrics.plugin()] : []),
      unavailableStatusPlugin,
    ],
  });
  await apollo.start();
  const consoleFiles = loadConsole();

  serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // The request target is a path (`//` included); anything else (absolute or `*` forms) is not ours.
    if (!req.url?.startsWith('/')) throw new RequestError(400, 'BAD_REQUEST', 'the request target must be a path');
    const url = new URL(`http://localhost${req.url}`);
    if (url.pathname === '/healthz') {
      const storeUp = store.isReachable?.() ?? true;
      const healthy = app.runner.healthy && storeUp;
      // A log served read-only still answers classify and reads: 200, so that load balancers keep sending
      // the MTA here (every replica reads the same log); the alarm is in the body, the log and /metrics.
      let status = readOnly ? 'read-only' : 'ok';
      if (!storeUp) status = 'event store unavailable';
      else if (!healthy) status = 'projections stopped';
      res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status,
          store: storeUp ? 'up' : 'down',
          checkpoint: String(app.runner.checkpoint ?? ''),
          ...(readOnly && { alarm: readOnly.why }),
        }),
      );
      return;
    }
    if (url.pathname === '/metrics' && config.metrics !== 'off') {
      if (!mayScrape(req, config.metrics, config.metricsToken)) {
        sendError(
          res,
          new RequestError(401, 'UNAUTHENTICATED', '/metrics needs "Authorization: Bearer <METRICS_TOKEN>"'),
        );
        return;
      }
      res.writeHead(200, { 'content-type': metrics!.registry.contentType });
      res.end(await metrics!.registry.metrics());
      return;
    }
    if (config.explorer && req.method === 'GET' && url.pathname.startsWith(EXPLORER_ASSET_PREFIX)) {
      const asset = await explorerAsset(url.pathname.slice(EXPLORER_ASSET_PREFIX.length));
      if (asset) {
        res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'public, max-age=86400' });
        res.end(asset.body);
        return;
      }
    }
    const consoleFile = req.method === 'GET' ? consoleFiles?.get(url.pathname) : undefined;
    if (consoleFile) {
      res.writeHead(200, consoleFile.headers);
      res.end(consoleFile.body);
      return;
    }
    const wantsPage =
      req.method === 'GET' && (req.headers.accept ?? '').includes('text/html') && !url.searchParams.has('query');
    // The explorer at /graphql; at / too when the console was not built.
    if (config.explorer && wantsPage && (url.pathname === '/' || url.pathname === '/graphql')) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(explorerPage('/graphql'));
      return;
    }
    if (url.pathname !== '/graphql') {
      sendError(res, new RequestError(404, 'NOT_FOUND', `nothing at ${url.pathname}; GraphQL is at /graphql`));
      return;
    }
    const correlationId = correlationIdOf(req);
    res.setHeader('x-correlation-id', correlationId);
    // The token first: without one, nothing costly is done for the request (checkDocument).
    const principal = principalOf(req.headers.authorization, req.headers['x-actor'], config, app.apiTokens);
    const caller = {
      role: principal?.role ?? null,
      introspection: config.introspection,
      listSize: (type: string, field: string) =>
        type === 'Isp' && field === 'patterns' ? app.bouncePatterns.largestIspPatternCount() : undefined,
    };
    let mutation = false;
    const check = (request: GraphQLRequestBody) => {
      mutation =
        getOperationAST(checkDocument(schema, request, caller), request.operationName)?.operation === 'mutation';
    };
    // A write is authorised by tokens as this replica read them at most revocationBoundMs ago: a token
    // revoked through another replica before then is refused here (reads are served from what it holds).
    const writer = async () => {
      if (!principal || !(store.isReachable?.() ?? true)) return principal;
      if (!(await app.runner.freshWithin(config.revocationBoundMs)))
        throw new GraphQLError('this replica has not read the event log recently: nothing was changed, retry', {
          extensions: { code: 'REPLICA_BEHIND', http: { status: 503 } },
        });
      return principalOf(req.headers.authorization, req.headers['x-actor'], config, app.apiTokens);
    };
    await executeGraphQL(
      apollo,
      req,
      res,
      url,
      {
        maxBodyBytes: config.maxBodyBytes,
        check,
        fast: options.fastPath === false ? undefined : (body) => fastPath.answer(body, principal),
      },
      async () => ({
        principal: mutation ? await writer() : principal,
        correlationId,
        services,
        loaders: createLoaders(services),
        feed,
      }),
    );
  };

  const stopSubscriptions = serveSubscriptions(server, {
    schema,
    path: '/graphql',
    introspection: config.introspection,
    maxPayload: config.maxBodyBytes,
    maxBufferedBytes: config.subscriptionBufferBytes,
    keepAliveMs: config.subscriptionKeepAliveMs,
    principalOf: (authorization) => principalOf(authorization, undefined, config, app.apiTokens),
    contextOf: (principal, disconnect) => ({
      principal,
      correlationId: randomUUID(),
      services,
      loaders: createLoaders(services),
      feed,
      disconnect,
    }),
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;

  return {
    url: `http://${host === '0.0.0.0' ? 'localhost' : host}:${port}/graphql`,
    app,
    feed,
    generatedAdminToken,
    /** Stops taking requests, lets those in flight finish (for up to 5 s), then closes the store. */
    async stop() {
      stopping = true;
      unfollow();
      await stopSubscriptions();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections that fall idle after the close would otherwise hold it open.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const deadline = setTimeout(() => server.closeAllConnections(), 5_000);
      server.closeIdleConnections();
      await closed;
      clearInterval(sweep);
      clearTimeout(deadline);
      await apollo.stop();
      await stopSeal();
      await app.stop();
    },
  };
}
