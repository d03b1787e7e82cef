/**
 * What the HTTP layer checks before GraphQL or REST see a request: which browser origins
 * may call the API (CORS), and what keeps a foreign page from making a browser call it
 * anyway (CSRF). The API takes no cookies — credentials travel in the Authorization
 * header or in graphql-ws' connection_init — so a foreign page cannot borrow a session;
 * what it could do is make a browser inside the network send credential-less mutations
 * (`register` on a fresh deployment makes the first admin, `login` burns a victim's
 * attempts). Hence:
 *
 * - an Origin header (every browser sends one on cross-origin requests and WebSocket
 *   upgrades) must be this server's own origin or an allowed one, else 403;
 * - allowed cross-origin callers get `Access-Control-Allow-Origin` (never credentials) and
 *   answered preflights;
 * - POST /graphql takes JSON only: the content types a form or a no-cors fetch can send
 *   without a preflight (form-urlencoded, multipart, text/plain, none) get 415;
 * - POST /graphql bodies are at most MAX_BODY_BYTES, like REST's (413; 411 without a length);
 * - one client address holds at most `maxLiveConnectionsPerAddress` live connections, SSE
 *   streams here and WebSockets (ws-server.ts) together: the next is answered 429.
 *
 * Allowed origins: CORS_ORIGINS (comma-separated origins, or `*` for any). Left empty, only
 * the server's own origin in production, and any http(s)://localhost|127.0.0.1|[::1] port
 * in development too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES, readBody } from './rest/input.ts';

export interface HttpGuardOptions {
  /** CORS_ORIGINS as configured: '' (the default policy), '*', or comma-separated origins. */
  corsOrigins: string;
  production: boolean;
  /** 0: no limit. */
  maxLiveConnectionsPerAddress: number;
}

/** Long-lived connections (graphql-ws sockets, SSE streams) per client address, against one cap. */
export class LiveConnections {
  private readonly open = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** Whether `address` may open one more now. */
  admits(address: string): boolean {
    return this.limit === 0 || (this.open.get(address) ?? 0) < this.limit;
  }

  /** Counts one more connection of `address` until `connection` emits `close`. */
  hold(address: string, connection: { once(event: 'close', listener: () => void): unknown }): void {
    this.open.set(address, (this.open.get(address) ?? 0) + 1);
    connection.once('close', () => {
      const left = (this.open.get(address) ?? 1) - 1;
      if (left > 0) this.open.set(address, left);
      else this.open.delete(address);
    });
  }
}

export const addressOf = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

export interface HttpGuards {
  /** Whether a browser page of `origin` may call this server (`host`: the request's Host header). */
  allowsOrigin(origin: string | undefined, host: string | undefined): boolean;
  /** Applies the origin policy to a request; true when it has been answered (preflight, refusal). */
  rest(req: IncomingMessage, res: ServerResponse): boolean;
  /** The origin policy, the content type and size of POST /graphql, the live-connection cap for SSE; true when answered. */
  graphql(req: IncomingMessage, res: ServerResponse): boolean;
  liveConnections: LiveConnections;
}

const LOCAL_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Content types a browser sends cross-origin without asking first (the CORS-safelisted ones). */
const SIMPLE_CONTENT_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** Parses CORS_ORIGINS: null for `*`, else the normalised origins. Throws naming a bad entry. */
export function parseCorsOrigins(raw: string): string[] | null {
  const entries = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.includes('*')) return null;
  return entries.map((entry) => {
    const url = URL.canParse(entry) ? new URL(entry) : null;
    if (!url || !['http:', 'https:'].includes(url.protocol) || url.origin !== entry.replace(/\/$/, '')) throw new Error(`CORS_ORIGINS: ${JSON.stringify(entry)} is not an origin such as https://dashboard.example.com`);
    return url.origin;
  });
}

type Kind = 'graphql' | 'rest';

/** Answers without reading the body: readBody drains what the client still sends (so it gets to read the answer), up to a bound. */
function refuse(req: IncomingMessage, res: ServerResponse, kind: Kind, status: number, message: string, headers: Record<string, string> = {}): void {
  readBody(req).catch(() => undefined);
  const body = kind === 'graphql' ? { errors: [{ message, extensions: { code: status === 403 ? 'FORBIDDEN' : 'BAD_REQUEST' } }] } : { status: 'error', message };
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function createHttpGuards(options: HttpGuardOptions): HttpGuards {
  const listed = parseCorsOrigins(options.corsOrigins);
  const any = listed === null;
  const allowed = new Set(listed ?? []);
  const useDefault = !any && allowed.size === 0;
  const liveConnections = new LiveConnections(options.maxLiveConnectionsPerAddress);

  function allowsOrigin(origin: string | undefined, host: string | undefined): boolean {
    if (origin === undefined) return true; // not a browser's cross-origin request
    if (any) return true;
    if (!URL.canParse(origin)) return false; // `null` (sandboxed frames, file://) and garbage
    const url = new URL(origin);
    if (host !== undefined && url.host === host.toLowerCase()) return true;
    if (allowed.has(url.origin)) return true;
    return useDefault && !options.production && LOCAL_HOSTNAMES.has(url.hostname);
  }

  /** Origin policy and CORS headers; true when the request has been answered. */
  function origin(req: IncomingMessage, res: ServerResponse, kind: Kind): boolean {
    const from = header(req, 'origin');
    if (from === undefined) return false;
    if (!allowsOrigin(from, header(req, 'host'))) {
      refuse(req, res, kind, 403, `requests from origin ${from} are not allowed: the API's CORS_ORIGINS setting lists the origins that are`);
      return true;
    }
    res.setHeader('access-control-allow-origin', from);
    res.setHeader('vary', 'Origin');
    const requestedMethod = header(req, 'access-control-request-method');
    if (req.method !== 'OPTIONS' || requestedMethod === undefined) return false;
    res.writeHead(204, {
      'access-control-allow-methods': 'GET, POST, PUT, DELETE',
      'access-control-allow-headers': header(req, 'access-control-request-headers') ?? '',
      'access-control-max-age': String(PREFLIGHT_MAX_AGE_SECONDS),
      'content-length': '0',
    });
    res.end();
    return true;
  }

  function graphqlBody(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'POST') return false;
    const mediaType = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (mediaType === '' || SIMPLE_CONTENT_TYPES.has(mediaType)) {
      refuse(req, res, 'graphql', 415, `POST /graphql takes a JSON body (Content-Type: application/json), not ${mediaType || 'a body without a Content-Type'}`);
      return true;
    }
    const length = header(req, 'content-length');
    if (length === undefined) {
      refuse(req, res, 'graphql', 411, 'POST /graphql needs a Content-Length', { connection: 'close' });
      return true;
    }
    if (Number(length) > MAX_BODY_BYTES) {
      refuse(req, res, 'graphql', 413, `request body too large: the limit is ${MAX_BODY_BYTES} bytes (1 MiB)`, { connection: 'close' });
      return true;
    }
    return false;
  }

  /** An SSE stream counts as a live connection of its address while it is open. */
  function eventStream(req: IncomingMessage, res: ServerResponse): boolean {
    if (!(header(req, 'accept') ?? '').includes('text/event-stream')) return false;
    const address = addressOf(req);
    if (!liveConnections.admits(address)) {
      refuse(req, res, 'graphql', 429, 'too many live connections (WebSocket and SSE) from this address');
      return true;
    }
    liveConnections.hold(address, res);
    return false;
  }

  return {
    allowsOrigin,
    liveConnections,
    rest: (req, res) => origin(req, res, 'rest'),
    graphql: (req, res) => origin(req, res, 'graphql') || graphqlBody(req, res) || eventStream(req, res),
  };
}
