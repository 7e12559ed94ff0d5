import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { GraphQLRequestBody } from '../graphql/limits.js';

export class RequestError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Reads the body up to `limit` bytes: a larger request is refused before it is buffered. */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const tooLarge = () => new RequestError(413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${limit} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge());
  // Listeners rather than async iteration: one promise a request instead of one per chunk, on the MTA's hot path.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        req.off('data', onData);
        // Stop reading the rest, as leaving the loop of an async iteration did.
        req.destroy();
        reject(tooLarge());
      }
    };
    req.on('data', onData);
    req.once('end', () =>
      resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')),
    );
    req.once('error', reject);
  });
}

function parseBody(raw: string, contentType: string | undefined): unknown {
  if (!contentType?.toLowerCase().startsWith('application/json')) return raw;
  if (raw === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new RequestError(400, 'BAD_REQUEST', 'request body is not valid JSON');
  }
}

export function sendError(res: ServerResponse, error: RequestError): void {
  res.writeHead(error.status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ message: error.message, extensions: { code: error.code } }] }));
}

/** A refusal before Apollo sees the request, in the shape Apollo would give it. */
function sendRefusal(res: ServerResponse, error: GraphQLError, mediaType: GraphQLMediaType): void {
  const { http, ...extensions } = error.extensions as { http?: { status?: number } };
  const status = mediaType === GRAPHQL_RESPONSE_JSON ? (http?.status ?? 400) : 200;
  res.writeHead(status, { 'content-type': `${mediaType}; charset=utf-8` });
  res.end(JSON.stringify({ errors: [{ message: error.message, extensions }] }));
}

const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';
type GraphQLMediaType = typeof GRAPHQL_RESPONSE_JSON | 'application/json';

/**
 * The media type of the answer, as GraphQL over HTTP negotiates it: a client that accepts
 * `application/graphql-response+json` (Apollo Client 4, urql) gets it, with 4xx statuses for requests
 * that fail before execution; any other (Apollo Client 3 accepts any type) gets `application/json`, whose
 * GraphQL errors come with 200, as that media type's clients read errors only from successful answers.
 */
function mediaTypeOf(req: IncomingMessage): GraphQLMediaType {
  return (req.headers.accept ?? '').toLowerCase().includes(GRAPHQL_RESPONSE_JSON)
    ? GRAPHQL_RESPONSE_JSON
    : 'application/json';
}

/** The GraphQL request a POST body or GET query string holds; null when it holds none Apollo could run. */
function graphQLRequestOf(method: string, body: unknown, url: URL): GraphQLRequestBody | null {
  let request: unknown = body;
  if (method === 'GET') {
    let variables: unknown = null;
    try {
      variables = JSON.parse(url.searchParams.get('variables') ?? 'null');
    } catch {
      // Apollo refuses them, saying so.
    }
    request = { query: url.searchParams.get('query'), variables, operationName: url.searchParams.get('operationName') };
  }
  if (typeof request !== 'object' || request === null || Array.isArray(request)) return null;
  const { query, variables, operationName } = request as Record<string, unknown>;
  if (typeof query !== 'string') return null;
  return {
    query,
    variables:
      typeof variables === 'object' && !Array.isArray(variables) ? (variables as Record<string, unknown>) : null,
    operationName: typeof operationName === 'string' ? operationName : null,
  };
}

/**
 * Answers a parsed JSON body without Apollo when it can (src/graphql/fastPath.ts): the JSON Apollo
 * would answer, or null to let Apollo answer.
 */
export type FastAnswer = (body: unknown) => string | null | Promise<string | null>;

/**
 * Hands one HTTP request to Apollo (its own node:http path: no framework in between), once `check`
 * (the token, the document's bounds: limits.ts) has passed it, unless `fast` answers it. A
 * `server-timing` header tells how long the server spent on it.
 */
export async function executeGraphQL<C extends BaseContext>(
  apollo: ApolloServer<C>,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  options: {
    readonly maxBodyBytes: number;
    readonly check: (request: GraphQLRequestBody) => void;
    readonly fast?: FastAnswer;
  },
  context: () => Promise<C>,
): Promise<void> {
  const started = performance.now();
  const mediaType = mediaTypeOf(req);
  const timed = () => res.setHeader('server-timing', `total;dur=${(performance.now() - started).toFixed(1)}`);
  const method = req.method ?? 'GET';
  const body =
    method === 'POST' ? parseBody(await readBody(req, options.maxBodyBytes), req.headers['content-type']) : undefined;
  const request = graphQLRequestOf(method, body, url);
  if (request) {
    try {
      options.check(request);
    } catch (error) {
      if (!(error instanceof GraphQLError)) throw error;
      timed();
      sendRefusal(res, error, mediaType);
      return;
    }
  }
  const fast = options.fast && body !== undefined && answersAsApollo(req) ? options.fast(body) : null;
  // A single classify is answered synchronously: no turn of the microtask queue for it.
  const answer = fast instanceof Promise ? await fast : fast;
  if (answer !== null) {
    // As Apollo's answer goes out below: headers set, then one end(), so Node sends a content-length.
    res.setHeader('content-type', 'application/json; charset=utf-8');
    timed();
    res.end(answer);
    return;
  }
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search: url.search, body },
    context,
  });
  for (const [name, value] of response.headers) res.setHeader(name, value);
  timed();
  const status = response.status ?? 200;
  res.statusCode = mediaType === 'application/json' && isGraphQLRefusal(status, response.body) ? 200 : status;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/**
 * Whether Apollo refused a well-formed request with GraphQL errors (a document it cannot run, a field
 * the role may not read): what `application/json` answers with 200. A request that is no GraphQL
 * request (CSRF prevention, a bad method or body) keeps its 4xx.
 */
function isGraphQLRefusal(status: number, body: { kind: string; string?: string }): boolean {
  if (status < 400 || status >= 500 || status === 413 || body.kind !== 'complete') return false;
  try {
    const { errors } = JSON.parse(body.string!) as { errors?: { extensions?: { code?: string } }[] };
    return Array.isArray(errors) && errors.every((error) => error.extensions?.code !== 'BAD_REQUEST');
  } catch {
    return false;
  }
}

/** A JSON POST whose Accept header Apollo answers with plain application/json. */
function answersAsApollo(req: IncomingMessage): boolean {
  const { accept, 'content-type': type } = req.headers;
  return (
    (accept === undefined || accept === '' || accept === '*/*' || accept === 'application/json') &&
    type?.toLowerCase().startsWith('application/json') === true
  );
}
