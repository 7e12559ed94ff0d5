import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { ADMIN_TOKEN } from './auth.js';

export interface Subscriber<T = any> {
  /** Every message received so far (data, or errors). */
  readonly received: { data?: T; errors?: readonly { message: string; extensions?: Record<string, any> }[] }[];
  /** Resolves with the first message that passes `accept` (rejects after `ms`). */
  next(
    accept?: (message: Subscriber<T>['received'][number]) => boolean,
    ms?: number,
  ): Promise<Subscriber<T>['received'][number]>;
  /** The close event of the connection, once closed. */
  readonly closed: Promise<{ code: number; reason: string }>;
  readonly client: Client;
  stop(): Promise<void>;
}

/** A graphql-ws client (what Apollo Client and urql use) subscribed to one document over a real WebSocket. */
export function subscribe<T = any>(
  httpUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  token: string | null = ADMIN_TOKEN,
  onSocket: (socket: WebSocket) => void = () => {},
): Subscriber<T> {
  let closedResolve!: (event: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    closedResolve = resolve;
  });
  const client = createClient({
    url: httpUrl.replace(/^http/, 'ws'),
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    // A refused or closed connection is what some tests expect: `closed` records it, no console noise.
    onNonLazyError: () => {},
    on: {
      connected: (socket) => onSocket(socket as WebSocket),
      closed: (event) => closedResolve(event as { code: number; reason: string }),
    },
  });
  const received: Subscriber<T>['received'] = [];
  const waiters: (() => void)[] = [];
  const push = (message: Subscriber<T>['received'][number]) => {
    received.push(message);
    for (const wake of waiters.splice(0)) wake();
  };
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => push(value as Subscriber<T>['received'][number]),
      error: (error) => push({ errors: Array.isArray(error) ? error : [{ message: describe(error) }] }),
      complete: () => {},
    },
  );
  return {
    received,
    closed,
    client,
    async next(accept = () => true, ms = 5_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = received.find(accept);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching message within ${ms} ms: ${JSON.stringify(received)}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
    },
    async stop() {
      unsubscribe();
      await client.dispose();
    },
  };
}

/** A transport failure as text: a close event's code and reason, or the error's message. */
function describe(error: unknown): string {
  const { code, reason, message } = error as { code?: number; reason?: string; message?: string };
  return code !== undefined ? `connection closed: ${code} ${reason ?? ''}` : String(message ?? error);
}
