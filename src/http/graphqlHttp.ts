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
export async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new RequestError(413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RequestError(413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
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
function sendRefusal(res: ServerResponse, error: GraphQLError): void {
  const { http, ...extensions } = error.extensions as { http?: { status?: number } };
  res.writeHead(http?.status ?? 400, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ errors: [{ message: error.message, extensions }] }));
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
 * Hands one HTTP request to Apollo (its own node:http path: no framework in between), once `check`
 * (the token, the document's bounds: limits.ts) has passed it. A `server-timing` header tells how long
 * the server spent on it.
 */

/**
 * Answers a parsed JSON body without Apollo when it can (src/graphql/fastPath.ts): the JSON Apollo
 * would answer, or null to let Apollo answer.
 */
export type FastAnswer = (body: unknown) => string | null | Promise<string | null>;

/** Hands one HTTP request to Apollo (its own node:http path: no framework in between). */
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
  const timed = () => res.setHeader('server-timing', `total;dur=${(performance.now() - started).toFixed(1)}`);
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
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
      sendRefusal(res, error);
      return;
    }
  }
  const answer = options.fast && body !== undefined && answersAsApollo(req) ? await options.fast(body) : null;
  if (answer !== null) {
    // As Apollo's answer goes out below: headers set, then one end(), so Node sends a content-length.
    res.setHeader('content-type', 'application/json; charset=utf-8');
    timed();
    res.end(answer);
    return;
  }
  const response = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method, headers, search: url.search, body },
    context,
  });
  for (const [name, value] of response.headers) res.setHeader(name, value);
  timed();
  res.statusCode = response.status ?? 200;
  if (response.body.kind === 'complete') {
    res.end(response.body.string);
    return;
  }
  for await (const chunk of response.body.asyncIterator) res.write(chunk);
  res.end();
}

/** A JSON POST whose Accept header Apollo answers with plain application/json. */
function answersAsApollo(req: IncomingMessage): boolean {
  const { accept, 'content-type': type } = req.headers;
  return (
    (accept === undefined || accept === '' || accept === '*/*' || accept === 'application/json') &&
    type?.toLowerCase().startsWith('application/json') === true
  );
}
