/**
 * `npm start`: the whole platform on one machine (SPEC §10). Checks Postgres and NATS (starting
 * a private nats-server when NATS_URL is local and nothing answers), migrates, ensures the
 * streams, supervises the projector, three simulators and the API (once api/ exists), prints
 * what runs where and how many readings have arrived. Ctrl-C stops everything; twice forces.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { exitOnConfigError } from '../schema/src/config.ts';
import { ensureDashboardBuilt } from '../dashboard/build.ts';
import { migrateDatabase } from '../schema/src/database.ts';
import { redactNatsUrl, redactUrl } from '../schema/src/redact.ts';
import { ensureStreams } from '../schema/src/stream.ts';
import { streamNames } from '../schema/src/subjects.ts';
import { describeError, loadEnvFileIfPresent } from './cli.ts';
import { banner, type BannerFacts } from './start/banner.ts';
import { loadLauncherConfig, type LauncherConfig } from './start/config.ts';
import { findNatsServer, HOW_TO_GET_NATS, localAddress, natsUnreachable, startPrivateNats, type PrivateNats } from './start/nats.ts';
import { terminalOutput, type Colour } from './start/output.ts';
import { HOW_TO_GET_POSTGRES, postgresUnreachable, reportReadings } from './start/postgres.ts';
import { Supervisor } from './start/supervisor.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SIMULATORS: ReadonlyArray<[type: string, colour: Colour]> = [['temperature', 'red'], ['humidity', 'blue'], ['pressure', 'magenta']];
const STOP_GRACE_MS = 10_000;
/** One Ctrl-C under `npm start` may arrive several times (terminal, npm and tsx each pass it on); later ones force. */
const SAME_PRESS_MS = 500;

/** A start-up failure with a message for the user (no stack trace). */
class StartError extends Error {}
class Interrupted extends Error {}

loadEnvFileIfPresent();
let config: LauncherConfig;
try {
  config = loadLauncherConfig();
} catch (error) {
  exitOnConfigError(error);
}
const output = terminalOutput(15);
const supervisor = new Supervisor(output);
const names = streamNames(config.STREAM_NAME, config.SUBJECT_PREFIX);
const natsUrl = redactNatsUrl(config.NATS_URL);
const databaseUrl = redactUrl(config.DATABASE_URL);
let privateNats: PrivateNats | null = null;
let progress: { stop(): Promise<void> } | null = null;
let phase: 'starting' | 'running' | 'stopping' = 'starting';
let interrupted: string | null = null;
let firstSignalAt = 0;

async function shutdown(why: string, exitCode: number): Promise<void> {
  if (phase === 'stopping') return;
  phase = 'stopping';
  output.say(`${why}: stopping everything (Ctrl-C again to force)`);
  await progress?.stop();
  await supervisor.stop(STOP_GRACE_MS);
  await privateNats?.stop(STOP_GRACE_MS);
  output.say('stopped');
  process.exit(exitCode);
}

function onSignal(signal: NodeJS.Signals): void {
  if (phase === 'stopping' || interrupted) {
    if (Date.now() - firstSignalAt < SAME_PRESS_MS) return;
    output.say(`${signal} again: killing everything`);
    supervisor.kill();
    privateNats?.kill();
    process.exit(130);
  }
  firstSignalAt = Date.now();
  if (phase === 'starting') {
    interrupted = signal;
    output.say(`${signal}: stopping after the current start-up step (Ctrl-C again to force)`);
    return;
  }
  void shutdown(signal, 0);
}

/** Between start-up steps: give up if the user pressed Ctrl-C meanwhile. */
function step(): void {
  if (interrupted) throw new Interrupted(interrupted);
}

async function ensureNats(): Promise<void> {
  const why = await natsUnreachable(config.NATS_URL);
  if (why === null) return;
  const address = localAddress(config.NATS_URL);
  if (!address) throw new StartError(`NATS is not reachable at NATS_URL=${natsUrl} (${why}).\n${HOW_TO_GET_NATS}`);
  const binary = findNatsServer();
  if (!binary) throw new StartError(`NATS is not reachable at NATS_URL=${natsUrl} (${why}) and no nats-server binary is on PATH or in /usr/sbin.\n${HOW_TO_GET_NATS}`);
  output.say(`nothing answers at ${natsUrl}: starting a private nats-server with JetStream under ${config.DATA_DIR}`);
  const server = await startPrivateNats(binary, address, config.NATS_URL, config.DATA_DIR, config.MQTT_PORT);
  privateNats = server;
  void server.exited.then((how) => {
    if (phase === 'stopping') return;
    output.say(`the private nats-server ${how} (log: ${server.logFile})`);
    void shutdown('NATS is gone', 1);
  });
}

async function ensureStreamsOnNats(): Promise<void> {
  const nc = await connect({ servers: config.NATS_URL.split(',').map((u) => u.trim()), name: 'npm-start' });
  try {
    await ensureStreams(await jetstreamManager(nc), names, { logRetentionSeconds: config.DEVICE_LOG_RETENTION });
  } catch (error) {
    throw new StartError(`cannot create the streams on NATS_URL=${natsUrl}: ${describeError(error)} (does the server run JetStream, nats-server -js?)`);
  } finally {
    await nc.close();
  }
}

/** The bootstrap admin's password: ADMIN_PASSWORD, or one generated on first start and kept under DATA_DIR. */
function adminPassword(): { password: string; file: string | null } {
  if (config.ADMIN_PASSWORD) return { password: config.ADMIN_PASSWORD, file: null };
  const file = join(config.DATA_DIR, 'admin-password');
  if (existsSync(file)) return { password: readFileSync(file, 'utf8').trim(), file };
  mkdirSync(config.DATA_DIR, { recursive: true });
  const password = randomBytes(12).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return { password, file };
}

/** Each child's metrics port (the simulators' counted up from SIMULATOR_METRICS_PORT), printed in the banner. */
const metricsPorts = new Map<string, number | 'off'>();

function startServices(): BannerFacts['api'] {
  const service = (name: string, colour: Colour, entry: string, args: string[] = [], env?: Record<string, string>) =>
    supervisor.start({ name, colour, command: process.execPath, args: ['--import', 'tsx', join(ROOT, entry), ...args], cwd: ROOT, env });
  const nth = (base: number | 'off', n: number) => (base === 'off' || base === 0 ? base : base + n);
  metricsPorts.set('projector', config.PROJECTOR_METRICS_PORT);
  service('projector', 'cyan', 'projector/src/main.ts', [], { PROJECTOR_METRICS_PORT: String(config.PROJECTOR_METRICS_PORT) });
  SIMULATORS.forEach(([type, colour], n) => {
    const port = nth(config.SIMULATOR_METRICS_PORT, n);
    metricsPorts.set(`sim-${type}`, port);
    service(`sim-${type}`, colour, 'simulator/src/main.ts', ['--type', type, '--devices', String(config.SIM_DEVICES)], { SIMULATOR_METRICS_PORT: String(port) });
  });
  metricsPorts.set('api', config.PORT);
  if (!existsSync(join(ROOT, 'api/src/main.ts'))) return null;
  const admin = adminPassword();
  // Children inherit this environment: the API creates the admin when no user exists yet.
  Object.assign(process.env, { PORT: String(config.PORT), ADMIN_USERNAME: config.ADMIN_USERNAME, ADMIN_PASSWORD: admin.password, DATA_DIR: config.DATA_DIR });
  service('api', 'green', 'api/src/main.ts');
  return { url: `http://localhost:${config.PORT}/graphql`, username: config.ADMIN_USERNAME, password: admin.password, passwordFile: admin.file };
}

async function migrate(): Promise<boolean> {
  try {
    return (await migrateDatabase(config.DATABASE_URL)).created;
  } catch (error) {
    throw new StartError(`cannot migrate the database at DATABASE_URL=${databaseUrl}: ${describeError(error)}`);
  }
}

/** Builds the dashboard when dist is missing or older than its sources; without it the API still runs. */
async function buildDashboard(): Promise<void> {
  try {
    output.say(await ensureDashboardBuilt());
  } catch (error) {
    output.say(`the dashboard could not be built (${describeError(error)}); the API runs without it: try npm run build:dashboard`);
  }
}

async function start(): Promise<void> {
  const pgProblem = await postgresUnreachable(config.DATABASE_URL);
  if (pgProblem) throw new StartError(`PostgreSQL is not reachable at DATABASE_URL=${databaseUrl} (${pgProblem}).\n${HOW_TO_GET_POSTGRES}`);
  step();
  await ensureNats();
  step();
  const created = await migrate();
  step();
  await ensureStreamsOnNats();
  step();
  await buildDashboard();
  step();
  const api = startServices();
  process.stdout.write(
    `${banner({ natsUrl, privateNats, databaseUrl, databaseCreated: created, names, logRetentionSeconds: config.DEVICE_LOG_RETENTION, processes: supervisor.pids(), metricsPorts, devicesPerSimulator: config.SIM_DEVICES, api }, output.colour)}\n`,
  );
  progress = reportReadings(config.DATABASE_URL, SIMULATORS.map(([type]) => type), output.say);
  if (phase === 'starting') phase = 'running';
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
try {
  await start();
} catch (error) {
  if (error instanceof Interrupted) await shutdown(error.message, 0);
  else {
    output.say(error instanceof StartError ? error.message : `start-up failed: ${describeError(error)}`);
    await shutdown('start-up failed', 1);
  }
}
