import { asAdmin } from './auth.js';

export interface GraphQLResponse<T = any> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, any>; path?: string[] }[];
}

export const GRAPHQL_CLIENT_ACCEPT = 'application/graphql-response+json, application/json;q=0.9';

/** A plain HTTP GraphQL client, as an admin frontend or the MTA would send requests (as admin unless told otherwise). */
export async function gql<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = asAdmin,
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    // As Apollo Client 4 and urql ask: then a request refused before execution has its 4xx status.
    headers: { 'content-type': 'application/json', accept: GRAPHQL_CLIENT_ACCEPT, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
  return { status: response.status, ...body };
}

/** The data of a response that must have succeeded; fails the test with the errors otherwise. */
export async function gqlData<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = asAdmin,
): Promise<T> {
  const response = await gql<T>(url, query, variables, headers);
  if (response.errors?.length || !response.data) throw new Error(`GraphQL errors: ${JSON.stringify(response.errors)}`);
  return response.data;
}

/** The single error of a response that must have failed. */
export async function gqlError(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = asAdmin,
) {
  const response = await gql(url, query, variables, headers);
  if (!response.errors?.length) throw new Error(`expected an error, got ${JSON.stringify(response.data)}`);
  return { ...response.errors[0]!, status: response.status, data: response.data };
}
