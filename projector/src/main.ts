/** Composition root of the projector process: `npm run projector`. */
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { exitOnConfigError } from '../../schema/src/config.ts';
import { migrateDatabase } from '../../schema/src/database.ts';
import { redactNatsUrl, redactUrl } from '../../schema/src/redact.ts';
import { createLogger } from '../../schema/src/log.ts';
import { createRegistry } from '../../schema/src/metrics.ts';
import { ensureStreams } from '../../schema/src/stream.ts';
import { streamNames } from '../../schema/src/subjects.ts';
import { loadProjectorConfig } from './config.ts';
import { ProjectorMetrics } from './metrics.ts';
import { startProjectorOps } from './ops.ts';
import { buildProjector } from './projector.ts';
import { buildAlarmProjector } from './alarms/projector.ts';

async function main(): Promise<void> {
  let env;
  try {
    env = loadProjectorConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
  const logger = createLogger('projector', env.LOG_LEVEL);
  const names = streamNames(env.STREAM_NAME, env.SUBJECT_PREFIX);
  await migrateDatabase(env.DATABASE_URL);
  // noAsyncTraces: no stack trace captured per request (a large share of the client's CPU otherwise).
  const nc = await connect({ servers: env.NATS_URL.split(','), name: 'projector', maxReconnectAttempts: -1, noAsyncTraces: true });
  await ensureStreams(await jetstreamManager(nc), names, { logRetentionSeconds: env.DEVICE_LOG_RETENTION });
  const metrics = new ProjectorMetrics(createRegistry());
  const projector = buildProjector(
    { databaseUrl: env.DATABASE_URL, names, batchSize: env.PROJECTOR_BATCH_SIZE, maxFutureMs: env.MAX_FUTURE_SECONDS * 1000, retryDelayMs: 250 },
    { nc, logger, metrics },
  );
  const ops =
    env.PROJECTOR_METRICS_PORT === 'off'
      ? null
      : await startProjectorOps({ port: env.PROJECTOR_METRICS_PORT, databaseUrl: env.DATABASE_URL, names, nc, projector, metrics, logger }).catch(exitOnConfigError);
  projector.start();
  // Alarms: a projection of their own (own checkpoint and consumer), in the same process.
  const alarms = buildAlarmProjector(
    { databaseUrl: env.DATABASE_URL, names, batchSize: env.PROJECTOR_BATCH_SIZE, maxFutureMs: env.MAX_FUTURE_SECONDS * 1000, retryDelayMs: 250 },
    { nc, logger: logger.child({ projection: 'alarms' }) },
  );
  alarms.start();
  logger.info(
    { database: redactUrl(env.DATABASE_URL), nats: redactNatsUrl(env.NATS_URL), stream: names.stream, metricsPort: ops?.port ?? 'off' },
    'projector started',
  );

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'projector stopping: finishing the batch in hand');
    ops?.markStopping();
    await Promise.all([projector.stop(), alarms.stop()]);
    // Drain delivers the last batch's ack before the connection closes.
    await nc.drain().catch(() => undefined);
    await ops?.close();
    logger.info(projector.stats(), 'projector stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`projector failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
