import { type Client as SocketClient, createClient as createSocketClient } from 'graphql-ws';
import { Client, type CombinedError, cacheExchange, fetchExchange, subscriptionExchange } from 'urql';

const TOKEN_KEY = 'bounce-patterns.token';

/** The API token lives for the browser tab only (sessionStorage), never in localStorage. */
export const session = {
  token: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token: string): void => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

/** HTTP for queries and mutations, graphql-ws on the same path for subscriptions; both bear the token. */
export function createClient(token: string): { client: Client; socket: SocketClient; close: () => void } {
  const socketUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  const socket = createSocketClient({
    url: socketUrl,
    lazy: true,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: Number.POSITIVE_INFINITY,
  });
  const client = new Client({
    url: '/graphql',
    preferGetMethod: false,
    requestPolicy: 'cache-and-network',
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => ({
          subscribe: (sink) => ({ unsubscribe: socket.subscribe({ ...request, query: request.query ?? '' }, sink) }),
        }),
      }),
    ],
  });
  return { client, socket, close: () => void socket.dispose() };
}

export interface ApiError {
  code: string | undefined;
  message: string;
  /** Every bad field of an input at once (BAD_USER_INPUT). */
  fieldErrors: Record<string, string>;
  currentVersion: number | undefined;
}

export function apiError(error: CombinedError | undefined): ApiError | null {
  if (!error) return null;
  const first = error.graphQLErrors[0];
  const extensions = (first?.extensions ?? {}) as {
    code?: string;
    field?: string;
    fieldErrors?: { field: string; message: string }[];
    currentVersion?: number;
  };
  const fieldErrors: Record<string, string> = {};
  for (const { field, message } of extensions.fieldErrors ?? []) fieldErrors[field] = message;
  if (extensions.field && !fieldErrors[extensions.field] && first) fieldErrors[extensions.field] = first.message;
  return {
    code: extensions.code ?? (error.networkError ? 'NETWORK' : undefined),
    message: first?.message ?? error.networkError?.message ?? error.message,
    fieldErrors,
    currentVersion: extensions.currentVersion,
  };
}

/** A key per user action, so that a retried request is applied once (the API's idempotency). */
export function mutationId(): string {
  // randomUUID exists only in secure contexts; a console opened over plain HTTP on a LAN is not one.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
