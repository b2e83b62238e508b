/** A GraphQL response as a client sees it. */
export interface GraphQLResponse<D = any> {
  status: number;
  data?: D;
  errors?: {
    message: string;
    path?: (string | number)[];
    extensions?: { code?: string; [key: string]: unknown };
  }[];
  headers: Headers;
}

/**
 * POSTs one operation to `url` (a `/graphql` endpoint) like a client would, with an optional
 * bearer token and extra headers. Never throws for GraphQL errors: tests assert on them.
 */
export async function graphql<D = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  { token, headers = {} }: { token?: string; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<D>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  let body: { data?: D; errors?: GraphQLResponse['errors'] };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`non-JSON response ${response.status}: ${text.slice(0, 300)}`);
  }
  return { status: response.status, headers: response.headers, ...body };
}

/** The `extensions.code` of each error, for compact assertions. */
export const errorCodes = (response: GraphQLResponse) =>
  (response.errors ?? []).map((e) => e.extensions?.code);
