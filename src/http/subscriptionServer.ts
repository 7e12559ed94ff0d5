import type { Server } from 'node:http';
import { GraphQLError, type GraphQLSchema } from 'graphql';
// Renamed: graphql-ws's `useServer` is no React hook, whatever its name says to the linter.
import { useServer as serveGraphQLWs } from 'graphql-ws/use/ws';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Principal } from '../app/apiTokens.js';
import type { GraphQLContext } from '../graphql/context.js';
import { formatError } from '../graphql/errors.js';
import { checkDocument } from '../graphql/limits.js';

/** The close code of a subscriber cut off for not reading (4000–4999 are the application's). */
export const SLOW_SUBSCRIBER_CLOSE = 4429;

export interface SubscriptionServerOptions {
  readonly schema: GraphQLSchema;
  readonly path: string;
  readonly introspection: boolean;
  /** The principal of a connection, from its `authorization` connection parameter. */
  readonly principalOf: (authorization: unknown) => Principal | null;
  readonly contextOf: (principal: Principal, disconnect: (reason: string) => void) => GraphQLContext;
  /** Largest message a client may send, in bytes. */
  readonly maxPayload: number;
  /** Bytes that may wait in a connection's send buffer before its reader counts as too slow. */
  readonly maxBufferedBytes: number;
  readonly keepAliveMs: number;
}

/** Ends a connection whose reader is too slow, with the reason (a client that reads again learns it). */
function cutOff(socket: WebSocket, reason: string): void {
  if (socket.readyState !== socket.OPEN) return;
  socket.close(SLOW_SUBSCRIBER_CLOSE, reason.slice(0, 120));
  // A client that does not read never answers the close either: free its buffers soon.
  setTimeout(() => socket.terminate(), 5_000).unref();
}

/**
 * GraphQL subscriptions over WebSocket (graphql-ws, what Apollo Client and urql speak), on the same
 * port and path as queries. The token goes in the connection parameters; a connection without a
 * valid one is closed (4403). Each subscription document passes the same checks as a query
 * (`checkDocument`: size, depth, cost, nested reads), and errors carry the same codes.
 */
export function serveSubscriptions(server: Server, options: SubscriptionServerOptions): () => Promise<void> {
  const sockets = new WebSocketServer({ server, path: options.path, maxPayload: options.maxPayload });
  const principals = new WeakMap<object, Principal>();
  const disposable = serveGraphQLWs<Record<string, unknown>>(
    {
      schema: options.schema,
      onConnect: (ctx) => {
        const principal = options.principalOf(ctx.connectionParams?.authorization);
        if (!principal) return false;
        principals.set(ctx, principal);
        return true;
      },
      onSubscribe: (ctx, _id, payload) => {
        const principal = principals.get(ctx)!;
        try {
          checkDocument(options.schema, payload, { role: principal.role, introspection: options.introspection });
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
      },
      context: (ctx) => {
        const { socket } = ctx.extra;
        return options.contextOf(principals.get(ctx)!, (reason) => cutOff(socket, reason));
      },
      onNext: (ctx, _id, _payload, _args, result) => {
        // ws takes every message it is given: what the reader does not take waits in its send buffer.
        const { socket } = ctx.extra;
        if (socket.bufferedAmount > options.maxBufferedBytes)
          cutOff(socket, `subscriber too slow: ${socket.bufferedAmount} bytes waited to be sent; subscribe again`);
        if (result.errors)
          return { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) };
      },
    },
    sockets,
    options.keepAliveMs,
  );
  return async () => {
    await disposable.dispose();
    await new Promise<void>((resolve) => sockets.close(() => resolve()));
  };
}
