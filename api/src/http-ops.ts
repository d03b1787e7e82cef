/**
 * The API's operations layer over HTTP: a request id for every request (taken from a sane
 * `x-request-id` or made up, sent back in the answer, and on the request's log lines through
 * `requestLogger` and the GraphQL context's `log`), one access-log line and one duration sample per request, and readiness
 * (Postgres, NATS, projector lag under READY_MAX_LAG).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import type { Logger } from '../../schema/src/log.ts';
import { runReadiness, type Readiness } from '../../schema/src/metrics.ts';
import type { SystemStatusService } from './core/system-status.ts';
import { apiMetrics } from './metrics.ts';

export const REQUEST_ID_HEADER = 'x-request-id';
/** What a client-sent request id may look like: short, and nothing that could forge a log field or a header. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's `x-request-id` when it is sane, else a fresh one. */
export function requestIdOf(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}

const requestIds = new WeakMap<IncomingMessage, string>();

/** The id `observeRequests` gave this request (undefined for a request it did not see). */
export function requestIdFor(req: IncomingMessage | undefined): string | undefined {
  return req ? requestIds.get(req) : undefined;
}

/** The logger for a request's lines: `logger` with the request's id. */
export function requestLogger(logger: Logger, req: IncomingMessage): Logger {
  const requestId = requestIds.get(req);
  return requestId ? logger.child({ requestId }) : logger;
}

const OPS_PATHS = new Set(['/healthz', '/readyz', '/metrics']);

/** A bounded route label for metrics: never the raw path. */
export function routeOf(path: string): string {
  if (path === '/graphql') return 'graphql';
  if (path === '/api/v1' || path.startsWith('/api/v1/')) return 'rest';
  if (OPS_PATHS.has(path)) return path.slice(1);
  return 'other';
}

/**
 * Wraps the request listener: request id in and out (`requestIdFor`, `requestLogger`), and when the answer is
 * done (or the client went away) an access-log line and a duration sample. Probes and
 * scrapes log at debug, everything else at info. The query string is never logged.
 */
export function observeRequests(logger: Logger, handler: RequestListener): RequestListener {
  return (req: IncomingMessage, res: ServerResponse) => {
    const requestId = requestIdOf(req.headers[REQUEST_ID_HEADER]);
    requestIds.set(req, requestId);
    res.setHeader(REQUEST_ID_HEADER, requestId);
    const started = performance.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = routeOf(path);
    res.once('close', () => {
      const seconds = (performance.now() - started) / 1000;
      const status = res.writableFinished ? res.statusCode : 499; // 499: the client closed first
      apiMetrics.httpDuration.observe({ route, method: req.method ?? 'GET', status: String(status) }, seconds);
      const line = { requestId, method: req.method, path, status, durationMs: Math.round(seconds * 10_000) / 10 };
      if (OPS_PATHS.has(path)) logger.debug(line, 'request completed');
      else logger.info(line, 'request completed');
    });
    handler(req, res);
  };
}

export interface ReadinessDeps {
  db: pg.Pool;
  nc: NatsConnection;
  status: SystemStatusService;
  /** Projector lag (events) above which the API is not ready. */
  maxLag: number;
  /** True once shutdown has begun: a load balancer should stop sending work. */
  stopping: () => boolean;
  timeoutMs?: number;
}

/** /readyz: Postgres answers, NATS answers, the projector is no more than `maxLag` events behind the stream. */
export function apiReadiness(deps: ReadinessDeps): () => Promise<Readiness> {
  return async () => {
    if (deps.stopping()) return { ok: false, checks: { api: 'shutting down' } };
    return runReadiness(
      {
        postgres: async () => {
          await deps.db.query('SELECT 1');
        },
        nats: async () => {
          if (deps.nc.isClosed()) return 'connection closed';
          await deps.nc.rtt();
        },
        projector: async () => {
          const s = await deps.status.read();
          if (s.lag > deps.maxLag) return `lag ${s.lag} events exceeds READY_MAX_LAG ${deps.maxLag} (stream head ${s.streamHead}, projector at ${s.projectorPosition})`;
        },
      },
      deps.timeoutMs ?? 2000,
    );
  };
}
