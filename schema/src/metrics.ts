/**
 * Operations endpoints every process shares (SPEC §10): a Prometheus registry with the
 * process's default metrics, readiness checks that answer within a deadline, and — for the
 * projector and the simulator, which have no HTTP server of their own — a small listener
 * for /healthz, /readyz and /metrics. The API serves the same three paths on its own port.
 *
 * Our metric names start with `sensors_` and carry their unit (`_seconds`, `_total`, `_events`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { ConfigError } from './config.ts';
import type { Logger } from './log.ts';

export const METRIC_PREFIX = 'sensors_';

/** A registry with Node's process metrics (CPU, memory, event loop lag, GC) under their usual names. */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Each check resolves when healthy, or throws/returns a reason when not. */
export type ReadinessChecks = Record<string, () => Promise<void | string>>;

export interface Readiness {
  ok: boolean;
  /** `ok` or why not, per check (e.g. `{ postgres: 'ok', nats: 'no answer within 2000 ms' }`). */
  checks: Record<string, string>;
}

/** Runs every check at once; a check that has not answered within `timeoutMs` fails with that reason. */
export async function runReadiness(checks: ReadinessChecks, timeoutMs = 2000): Promise<Readiness> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, string]> => {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
      });
      try {
        const outcome = await Promise.race([check().then((reason) => reason ?? 'ok'), deadline]);
        return [name, outcome];
      } catch (error) {
        return [name, (error as Error).message || String(error)];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const result = Object.fromEntries(entries);
  return { ok: entries.every(([, outcome]) => outcome === 'ok'), checks: result };
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** Answers /healthz, /readyz and /metrics; true if `path` was one of them. */
export function serveOpsPath(path: string, res: ServerResponse, registry: Registry, readiness: () => Promise<Readiness>): boolean {
  if (path === '/healthz') {
    sendJson(res, 200, { status: 'ok' });
    return true;
  }
  if (path === '/readyz') {
    void readiness().then(
      (r) => sendJson(res, r.ok ? 200 : 503, { status: r.ok ? 'ready' : 'not ready', checks: r.checks }),
      (error: Error) => sendJson(res, 503, { status: 'not ready', checks: { readiness: error.message } }),
    );
    return true;
  }
  if (path === '/metrics') {
    void registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(text);
      },
      (error: Error) => sendJson(res, 500, { status: 'error', message: error.message }),
    );
    return true;
  }
  return false;
}

export interface OpsServerOptions {
  /** 0 for a free port chosen by the system. */
  port: number;
  host?: string;
  registry: Registry;
  readiness: () => Promise<Readiness>;
  logger: Logger;
  /** The variable the port came from, named when it cannot be bound. */
  portVariable: string;
}

export interface OpsServer {
  port: number;
  close(): Promise<void>;
}

/** The projector's and simulator's HTTP listener for health, readiness and metrics. */
export async function startOpsServer(options: OpsServerOptions): Promise<OpsServer> {
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { status: 'error', message: 'only GET' });
    if (!serveOpsPath(path, res, options.registry, options.readiness)) sendJson(res, 404, { status: 'error', message: 'try /healthz, /readyz or /metrics' });
  });
  server.keepAliveTimeout = 65_000; // longer than Prometheus' scrape interval: one connection per scraper
  await new Promise<void>((resolve, reject) => {
    // A port that cannot be had is a setting to fix, not a reason to restart (exit 78, naming the variable).
    server.once('error', (error: NodeJS.ErrnoException) => reject(new ConfigError(options.portVariable, `a port this process may listen on (${error.code ?? error.message})`, String(options.port))));
    server.listen(options.port, options.host ?? '0.0.0.0', resolve);
  });
  server.on('error', (error) => options.logger.warn({ err: error }, 'metrics listener error'));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** `PROJECTOR_METRICS_PORT` / `SIMULATOR_METRICS_PORT`: a port, 0 for any free one, or `off`. */
export const metricsPortVar = (fallback: number) => ({
  expected: 'a port 0…65535 (0: any free port) or off',
  default: String(fallback),
  parse: (raw: string): number | 'off' | undefined => {
    if (raw === 'off') return 'off';
    const n = Number(raw);
    return /^\d+$/.test(raw) && n <= 65_535 ? n : undefined;
  },
});
