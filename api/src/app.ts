/**
 * Composition of the API process: `buildApp(config)` returns `{ start, stop }` so tests
 * run real instances in-process. HTTP: /graphql (yoga), /api/v1 (REST), /healthz, /readyz, /metrics (http-ops.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { migrateDatabase } from '../../schema/src/database.ts';
import type { Logger } from '../../schema/src/log.ts';
import { sendJson, serveOpsPath } from '../../schema/src/metrics.ts';
import { ensureStreams } from '../../schema/src/stream.ts';
import { streamNames } from '../../schema/src/subjects.ts';
import type { ApiEnv } from './config.ts';
import type { Services } from './context.ts';
import { resolveJwtSecret } from './core/auth/secret.ts';
import { AlarmService } from './core/alarms/service.ts';
import { AlarmFeed } from './live/alarms.ts';
import { registerAlarmMetrics } from './core/alarms/metrics.ts';
import { AuditLog } from './core/audit.ts';
import { AuthService } from './core/auth/service.ts';
import { ReadingIngest } from './core/ingest.ts';
import { ChangeWaiter } from './core/readings/change-waiter.ts';
import { ReadingChanges } from './core/readings/changes.ts';
import type { CommandLog } from './core/commands.ts';
import { DeviceCommands } from './core/devices/commands.ts';
import { DeviceLogReader } from './core/logs/queries.ts';
import { SystemStatusService } from './core/system-status.ts';
import { SimulatorControl } from './core/simulators.ts';
import { createDashboardHandler } from './dashboard.ts';
import { createGraphQLServer } from './graphql-server.ts';
import { createHttpGuards } from './http-guards.ts';
import { DeviceLogFeed } from './live/device-logs.ts';
import { LiveService } from './live/service.ts';
import { apiReadiness, observeRequests } from './http-ops.ts';
import { apiRegistry } from './metrics.ts';
import { createRestApi, REST_PREFIX } from './rest/index.ts';
import { attachWebSocketServer } from './ws-server.ts';

export interface AppOptions {
  env: ApiEnv;
  logger: Logger;
  clock?: () => number;
  /** Projector lag above which /readyz answers 503 (default READY_MAX_LAG). */
  readyMaxLag?: number;
  /** The built dashboard served at `/` (default dashboard/dist). */
  dashboardDir?: string;
}

export interface App {
  start(): Promise<{ url: string; port: number }>;
  stop(): Promise<void>;
  services: Services;
}

/** How long a stopping API lets requests in flight finish (a mutation waits up to CHANGE_WAIT_MS for the projector). */
const SHUTDOWN_GRACE_MS = 8000;

export async function buildApp(options: AppOptions): Promise<App> {
  const { env, logger } = options;
  const clock = options.clock ?? Date.now;
  const names = streamNames(env.STREAM_NAME, env.SUBJECT_PREFIX);
  const secret = resolveJwtSecret(env);
  await migrateDatabase(env.DATABASE_URL);
  // Every API connection speaks UTC, so times read as text are unambiguous.
  const db = new pg.Pool({ connectionString: env.DATABASE_URL, max: 20, options: '-c TimeZone=UTC', application_name: 'api' });
  db.on('error', (error) => logger.warn({ err: error }, 'idle database connection failed'));
  const nc: NatsConnection = await connect({ servers: env.NATS_URL.split(','), name: 'api', maxReconnectAttempts: -1, noAsyncTraces: true });
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, names, { logRetentionSeconds: env.DEVICE_LOG_RETENTION });
  const waiter = new ChangeWaiter(env.DATABASE_URL, db, logger);
  await waiter.start();

  const auth = new AuthService(
    db,
    {
      tokens: { secret, issuer: env.JWT_ISSUER, audience: env.JWT_AUDIENCE, ttlSeconds: env.ACCESS_TOKEN_TTL_SECONDS },
      refreshTtlSeconds: env.REFRESH_TOKEN_TTL_SECONDS,
      passwordCost: { memoryKib: env.ARGON2_MEMORY_KIB, timeCost: env.ARGON2_TIME_COST, parallelism: env.ARGON2_PARALLELISM },
      throttle: { perAccount: env.LOGIN_MAX_ATTEMPTS_PER_ACCOUNT, perAddress: env.LOGIN_MAX_ATTEMPTS_PER_ADDRESS, windowSeconds: env.LOGIN_WINDOW_SECONDS },
    },
    clock,
    logger,
  );
  const commandLog: CommandLog = { db, js: jetstream(nc), waiter, prefix: names.prefix, waitMs: env.CHANGE_WAIT_MS };
  const services: Services = {
    db,
    clock,
    auth,
    changes: new ReadingChanges(commandLog, { maxFutureMs: env.MAX_FUTURE_SECONDS * 1000 }, clock),
    devices: new DeviceCommands(commandLog, clock),
    ingest: new ReadingIngest(jetstream(nc), { prefix: names.prefix, maxFutureMs: env.MAX_FUTURE_SECONDS * 1000 }, clock),
    status: new SystemStatusService(db, jsm, names),
    live: new LiveService(nc, db, waiter, { names, clock, maxFutureMs: env.MAX_FUTURE_SECONDS * 1000, bufferLimit: env.SUBSCRIPTION_BUFFER_LIMIT }, logger),
    simulators: new SimulatorControl(nc, { prefix: names.prefix, timeoutMs: env.SIMULATOR_TIMEOUT_MS, discoveryMs: env.SIMULATOR_DISCOVERY_MS }),
    audit: new AuditLog(nc, { names, maxFutureMs: env.MAX_FUTURE_SECONDS * 1000 }),
    alarms: new AlarmService(commandLog, clock),
    alarmFeed: new AlarmFeed(db, logger),
    deviceLogs: new DeviceLogReader(nc, names),
    logFeed: new DeviceLogFeed(nc, names, logger),
  };
  registerAlarmMetrics(db);
  if (await auth.ensureBootstrapAdmin(env.ADMIN_USERNAME, env.ADMIN_PASSWORD)) logger.info({ username: env.ADMIN_USERNAME }, 'bootstrap admin created');

  const yoga = createGraphQLServer(services, { graphiql: env.GRAPHIQL, introspection: env.INTROSPECTION, fieldSuggestions: env.FIELD_SUGGESTIONS }, logger);
  const rest = createRestApi(services, logger);
  const dashboard = createDashboardHandler(options.dashboardDir);
  const guards = createHttpGuards({ corsOrigins: env.CORS_ORIGINS, production: env.NODE_ENV === 'production', maxLiveConnectionsPerAddress: env.MAX_LIVE_CONNECTIONS_PER_ADDRESS });
  let stopping = false;
  const readiness = apiReadiness({ db, nc, status: services.status, maxLag: options.readyMaxLag ?? env.READY_MAX_LAG, stopping: () => stopping });

  const server: Server = createServer(observeRequests(logger, (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (stopping) res.setHeader('connection', 'close');
    if (serveOpsPath(path, res, apiRegistry, readiness)) return;
    if (path === '/graphql') return void (guards.graphql(req, res) || yoga(req, res, { req, res }));
    if (path === REST_PREFIX || path?.startsWith(`${REST_PREFIX}/`)) return void (guards.rest(req, res) || rest(req, res));
    // Keep this last: every GET that no route above took is the dashboard's (client routes included).
    if ((req.method === 'GET' || req.method === 'HEAD') && !path?.startsWith('/api/')) return void dashboard(req, res, path ?? '/');
    sendJson(res, 404, { status: 'error', message: `no route for ${path}; GraphQL is at /graphql, REST at ${REST_PREFIX}` });
  }));
  const ws = attachWebSocketServer(server, yoga, services, logger, guards);

  return {
    services,
    async start() {
      await new Promise<void>((resolve) => server.listen(env.PORT, '0.0.0.0', resolve));
      const port = (server.address() as AddressInfo).port;
      return { url: `http://localhost:${port}/graphql`, port };
    },
    /**
     * Graceful: stop accepting connections (and answer /readyz 503), close graphql-ws sockets with
     * 1001 (going away) and end SSE feeds, let requests in flight finish (up to SHUTDOWN_GRACE_MS,
     * then cut), and only then close NATS and Postgres, which those requests still use.
     */
    async stop() {
      stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await ws.close();
      await services.live.stop();
      await services.alarmFeed.stop();
      await services.logFeed.stop();
      const grace = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closed;
      clearTimeout(grace);
      await waiter.stop();
      await nc.drain().catch(() => undefined);
      await db.end();
    },
  };
}
