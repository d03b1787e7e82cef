/**
 * Entry point: `npm run simulator -- --type humidity --devices 500`.
 * Wires config, logger, the NATS connection and one simulator; owns signals.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { exitOnConfigError } from '../../schema/src/config.ts';
import { createLogger, type Logger } from '../../schema/src/log.ts';
import { ensureStreams } from '../../schema/src/stream.ts';
import { streamNames } from '../../schema/src/subjects.ts';
import { MIN_INTERVAL_SECONDS, SIMULATOR_SERVICE_NAME, simulatorSubjects } from '../../schema/src/simulator-control.ts';
import { parseCommandLine, queueBound, USAGE, UsageError, type SimulatorSettings } from './config.ts';
import { createRng } from './random.ts';
import { buildSimulator, type Simulator } from './simulator.ts';
import { serveControl } from './control.ts';
import { startSimulatorOps } from './metrics.ts';
import { followDeviceEvents } from './device-events.ts';
import { redactNatsUrl } from '../../schema/src/redact.ts';

const EX_USAGE = 64;
const SHUTDOWN_DRAIN_MS = 10_000;
const STATS_LOG_EVERY_MS = 10_000;
const ACK_TIMEOUT_MS = 5_000;
const LEAVE_DISCOVERY_WAIT_MS = 1_000;
/** 100,000 devices at 5 s come due 1,000 per 50 ms tick: steady, not bursty. */
const TICK_MS = 50;

function readSettings(): SimulatorSettings {
  try {
    const commandLine = parseCommandLine(process.argv.slice(2), process.env);
    switch (commandLine.kind) {
      case 'help':
        process.stdout.write(USAGE);
        return process.exit(0);
      case 'run':
        return commandLine.settings;
      default: {
        const unhandled: never = commandLine;
        throw new Error(`unhandled command line ${JSON.stringify(unhandled)}`);
      }
    }
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${USAGE}`);
      return process.exit(EX_USAGE);
    }
    return exitOnConfigError(error);
  }
}

async function logConnectionStatus(nc: NatsConnection, logger: Logger): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'disconnect') logger.warn({ server: status.server }, 'NATS disconnected; readings queue until it is back');
    else if (status.type === 'reconnect') logger.info({ server: status.server }, 'NATS reconnected');
    else if (status.type === 'error') logger.error({ err: status.error }, 'NATS error');
    else logger.debug({ status: status.type }, 'NATS status');
  }
}

function logStatsPeriodically(simulator: Simulator, logger: Logger): NodeJS.Timeout {
  let last = { at: performance.now(), published: 0 };
  return setInterval(() => {
    const stats = simulator.stats();
    const at = performance.now();
    const publishedPerSecond = Math.round(((stats.published - last.published) * 1000) / (at - last.at));
    last = { at, published: stats.published };
    logger.info({ stats, publishedPerSecond, rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20) }, 'simulator stats');
  }, STATS_LOG_EVERY_MS);
}

async function main(): Promise<void> {
  const settings = readSettings();
  // Randomness from outside the logic: the seed (printed, so a run can be repeated) and an id unique to this start.
  const seed = settings.SIM_SEED ?? randomInt(2 ** 32);
  const simulatorId = `sim-${settings.SIM_TYPE}-${randomBytes(4).toString('hex')}`;
  const logger = createLogger('simulator', settings.LOG_LEVEL).child({ simulatorId });

  const nc = await connect({
    servers: settings.NATS_URL.split(',').map((url) => url.trim()),
    name: simulatorId,
    maxReconnectAttempts: -1,
    // Each publish is a request; capturing a stack trace for each (the default) costs about a third of the CPU at 20,000/s.
    noAsyncTraces: true,
  }).catch((error: unknown) => {
    logger.fatal({ err: error, natsUrl: redactNatsUrl(settings.NATS_URL) }, 'cannot connect to NATS');
    return process.exit(1);
  });
  void logConnectionStatus(nc, logger);
  const names = streamNames(settings.STREAM_NAME, settings.SUBJECT_PREFIX);
  await ensureStreams(await jetstreamManager(nc), names, { logRetentionSeconds: settings.DEVICE_LOG_RETENTION });

  const simulator = buildSimulator(
    {
      simulatorId,
      sensorType: settings.SIM_TYPE,
      devices: settings.SIM_DEVICES,
      intervalMs: settings.intervalMs,
      subjectPrefix: settings.SUBJECT_PREFIX,
      maxInFlight: settings.SIM_MAX_IN_FLIGHT,
      // Sized for the fastest interval the control plane may switch to, so a shorter interval is not starved of queue.
      maxQueued: queueBound(settings.SIM_MAX_IN_FLIGHT, settings.SIM_DEVICES, Math.min(settings.intervalMs, MIN_INTERVAL_SECONDS * 1000)),
      ackTimeoutMs: ACK_TIMEOUT_MS,
      tickMs: TICK_MS,
      unassigned: settings.SIM_UNASSIGNED,
    },
    { nc, clock: Date.now, rng: createRng(seed) },
  );
  // Before measuring: the commands and targets already in the stream (a restart forgets none), then live ones.
  const deviceEvents = await followDeviceEvents(nc, simulator, { stream: names.stream, subjectPrefix: names.prefix, logger });
  const recovered = simulator.stats();
  logger.info({ sleeping: recovered.sleeping, awaitingTarget: recovered.awaitingTarget }, 'device commands and targets read from the stream');
  const ops = settings.SIMULATOR_METRICS_PORT === 'off' ? null : await startSimulatorOps({ port: settings.SIMULATOR_METRICS_PORT, nc, stats: () => simulator.stats(), logger }).catch(exitOnConfigError);
  if (ops) logger.info({ metricsPort: ops.port }, `health, readiness and metrics on http://localhost:${ops.port}/metrics`);
  simulator.start();
  const control = await serveControl(nc, simulator, {
    subjectPrefix: names.prefix,
    stream: names.stream,
    allowFastIntervals: settings.benchmark,
    clock: Date.now,
  });
  void control.stopped.then((error) => {
    if (error) logger.error({ err: error }, 'control service stopped; this instance can no longer be controlled');
  });
  logger.info(
    {
      seed,
      sensorType: settings.SIM_TYPE,
      devices: settings.SIM_DEVICES,
      intervalMs: settings.intervalMs,
      unassigned: settings.SIM_UNASSIGNED,
      stream: names.stream,
      subjectPrefix: names.prefix,
      controlService: SIMULATOR_SERVICE_NAME,
      statusSubject: simulatorSubjects.endpoint(names.prefix, simulatorId, 'status'),
    },
    'simulator started',
  );
  if (settings.SIM_UNASSIGNED) {
    void simulator.announce().then((count) => logger.info({ announced: count }, 'devices without a target announced; they measure once one is assigned'));
  }
  if (settings.benchmark) logger.warn({ intervalMs: settings.intervalMs }, 'benchmark interval in use: for load tests only');
  const statsTimer = logStatsPeriodically(simulator, logger);

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting without waiting for acks');
      process.exit(1);
    }
    stopping = true;
    ops?.markStopping();
    clearInterval(statsTimer);
    // Leave discovery first, so no controller acts on an instance that is going away. Bounded: with NATS away, leaving would wait for it.
    await Promise.race([control.stop(), new Promise((resolve) => setTimeout(resolve, LEAVE_DISCOVERY_WAIT_MS))]);
    logger.info({ signal }, 'stopping: no new readings; waiting for the un-acked ones');
    await deviceEvents.stop();
    const drained = await simulator.stop(SHUTDOWN_DRAIN_MS);
    const stats = simulator.stats();
    if (drained) logger.info({ stats }, 'simulator stopped; every reading acked');
    else logger.warn({ stats }, `simulator stopped; ${stats.inFlight + stats.queued} readings were not acked within ${SHUTDOWN_DRAIN_MS} ms`);
    await nc.close();
    await ops?.close();
    process.exit(0);
  };
  process.on('SIGINT', (signal) => void shutdown(signal));
  process.on('SIGTERM', (signal) => void shutdown(signal));
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
