/**
 * A small typed client for the sensor platform's GraphQL API: pass a typed document
 * from `sdk/src/operations` and get typed data back, or an SdkError carrying the
 * server's `extensions.code`. Tokens are kept and refreshed by `session.ts`.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';

export interface GraphQLErrorShape {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

export class SdkError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  constructor(
    readonly errors: GraphQLErrorShape[],
    readonly status: number,
  ) {
    const first = errors[0];
    super(first?.message ?? `request failed with HTTP ${status}`);
    this.name = 'SdkError';
    this.code = first?.extensions?.code ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_RESPONSE');
    this.field = first?.extensions?.field;
  }
}

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. http://localhost:4000/graphql */
  url: string;
  /** The bearer credential to send (access token or API key), read before each request. */
  credential?: () => string | null | undefined | Promise<string | null | undefined>;
  fetch?: typeof fetch;
  headers?: Record<string, string>;
}

const printed = new WeakMap<DocumentNode, string>();
function queryText(document: DocumentNode): string {
  let text = printed.get(document);
  if (!text) printed.set(document, (text = print(document)));
  return text;
}

export interface SensorClient {
  request<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...variables: TVariables extends Record<string, never> ? [] : [TVariables]
  ): Promise<TResult>;
}

export function createClient(options: ClientOptions): SensorClient {
  const doFetch = options.fetch ?? fetch;
  return {
    async request(document, ...rest) {
      const credential = await options.credential?.();
      const response = await doFetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(credential ? { authorization: `Bearer ${credential}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query: queryText(document), variables: rest[0] ?? {} }),
      });
      const body = (await response.json().catch(() => ({}))) as { data?: unknown; errors?: GraphQLErrorShape[] };
      if (body.errors?.length || body.data == null) throw new SdkError(body.errors ?? [], response.status);
      return body.data as never;
    },
  };
}
