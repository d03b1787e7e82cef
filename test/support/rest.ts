/** A client for the REST API (/api/v1) in tests: JSON in, the envelope, status and headers out. */

export interface RestEnvelope<T> {
  status: 'success' | 'error';
  message: string;
  data?: T;
  paginator?: Record<string, number>;
}

export interface RestResponse<T> {
  status: number;
  headers: Headers;
  body: RestEnvelope<T>;
}

export interface RestOptions {
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, instead of `body` (malformed JSON, huge or streamed bodies). */
  raw?: string | ReadableStream<Uint8Array>;
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
}

export type Rest = <T = unknown>(method: string, path: string, options?: RestOptions) => Promise<RestResponse<T>>;

/** `apiUrl`: any URL of the API (the stack's /graphql one will do); `path` is below /api/v1. */
export function restClient(apiUrl: string): Rest {
  const origin = new URL(apiUrl).origin;
  return async <T>(method: string, path: string, options: RestOptions = {}): Promise<RestResponse<T>> => {
    const url = new URL(`/api/v1${path}`, origin);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.append(key, String(value));
    const headers: Record<string, string> = { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers };
    let body: string | ReadableStream<Uint8Array> | undefined = options.raw;
    if (body === undefined && options.body !== undefined) body = JSON.stringify(options.body);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const init: RequestInit & { duplex?: 'half' } = { method, headers, body };
    if (body instanceof ReadableStream) init.duplex = 'half';
    const response = await fetch(url, init);
    const text = await response.text();
    let parsed: RestEnvelope<T>;
    try {
      parsed = JSON.parse(text) as RestEnvelope<T>;
    } catch {
      throw new Error(`${method} ${url.pathname} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
    }
    return { status: response.status, headers: response.headers, body: parsed };
  };
}
