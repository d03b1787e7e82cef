/**
 * The projector's HTTP listener (PROJECTOR_METRICS_PORT): /healthz, /readyz (Postgres and NATS
 * answer, and the projector is not stuck restarting) and /metrics (metrics.ts).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import type { Logger } from '../../schema/src/log.ts';
import { runReadiness, startOpsServer } from '../../schema/src/metrics.ts';
import type { StreamNames } from '../../schema/src/subjects.ts';
import { readCheckpoint } from './checkpoint.ts';
import type { ProjectorMetrics } from './metrics.ts';
import { checkpointName, type Projector } from './projector.ts';

export interface ProjectorOpsOptions {
  port: number;
  databaseUrl: string;
  names: StreamNames;
  nc: NatsConnection;
  projector: Projector;
  metrics: ProjectorMetrics;
  logger: Logger;
}

export interface ProjectorOps {
  port: number;
  /** From now on /readyz answers 503 (shutting down). */
  markStopping(): void;
  close(): Promise<void>;
}

export async function startProjectorOps(options: ProjectorOpsOptions): Promise<ProjectorOps> {
  const { nc, names, projector } = options;
  // Its own small pool: a scrape or a probe never waits behind a batch.
  const db = new pg.Pool({ connectionString: options.databaseUrl, max: 2, connectionTimeoutMillis: 2000, application_name: 'projector-ops' });
  db.on('error', (error) => options.logger.debug({ err: error }, 'idle ops database connection failed'));
  const jsm = await jetstreamManager(nc);
  options.metrics.observe(projector.stats, async () => {
    const [stream, checkpoint] = await Promise.all([jsm.streams.info(names.stream), readCheckpoint(db, checkpointName(names))]);
    return { streamHead: stream.state.last_seq, checkpoint };
  });
  let stopping = false;
  const readiness = () =>
    runReadiness({
      postgres: async () => {
        await db.query('SELECT 1');
      },
      nats: async () => {
        if (nc.isClosed()) return 'connection closed';
        await nc.rtt();
      },
      projector: async () => {
        if (stopping) return 'shutting down';
        const stats = projector.stats();
        if (!stats.leader && stats.lastError) return `restarting after a failed run: ${stats.lastError}`;
      },
    });
  const server = await startOpsServer({ port: options.port, registry: options.metrics.registry, readiness, logger: options.logger, portVariable: 'PROJECTOR_METRICS_PORT' });
  return {
    port: server.port,
    markStopping: () => {
      stopping = true;
    },
    async close() {
      await server.close();
      await db.end().catch(() => undefined);
    },
  };
}
