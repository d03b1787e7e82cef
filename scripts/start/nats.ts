/** Finding NATS for the launcher: the one at NATS_URL, or a private nats-server with JetStream and MQTT under DATA_DIR. */
import { spawn } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { describeError } from '../cli.ts';

/** Debian installs nats-server in /usr/sbin, which is not on every user's PATH. */
const EXTRA_DIRS = ['/usr/sbin', '/usr/local/sbin'];
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0']);
const START_TIMEOUT_MS = 10_000;

export const HOW_TO_GET_NATS = [
  'Either start a NATS server with JetStream and point NATS_URL at it, or install nats-server 2.9+ so that npm start can run a private one:',
  '  Debian/Ubuntu:  sudo apt install nats-server',
  '  macOS:          brew install nats-server',
  '  other systems:  https://github.com/nats-io/nats-server/releases (put nats-server on your PATH)',
  '  Docker:         docker compose up -d nats   (then NATS_URL=nats://127.0.0.1:4222)',
].join('\n');


/** Null when a NATS server answers at `url`, else why not. */
export async function natsUnreachable(url: string, timeoutMs = 2000): Promise<string | null> {
  try {
    const nc = await connect({ servers: url.split(',').map((u) => u.trim()), reconnect: false, timeout: timeoutMs, name: 'npm-start-probe' });
    await nc.close();
    return null;
  } catch (error) {
    return describeError(error);
  }
}

export function findNatsServer(path = process.env.PATH ?? ''): string | null {
  for (const dir of [...path.split(delimiter).filter(Boolean), ...EXTRA_DIRS]) {
    const candidate = join(dir, 'nats-server');
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here; look in the next directory.
    }
  }
  return null;
}

export interface LocalAddress {
  host: string;
  port: number;
}

/** Where a private server must listen to be the one NATS_URL names; null when NATS_URL is not one local URL. */
export function localAddress(natsUrl: string): LocalAddress | null {
  if (natsUrl.includes(',')) return null;
  const url = new URL(natsUrl);
  if (!LOCAL_HOSTS.has(url.hostname)) return null;
  const host = url.hostname === 'localhost' ? '127.0.0.1' : url.hostname.replace(/^\[(.*)\]$/, '$1');
  return { host, port: url.port ? Number(url.port) : 4222 };
}

export interface PrivateNats {
  pid: number;
  storeDir: string;
  logFile: string;
  configFile: string;
  /** Where devices publish over MQTT, or why MQTT is off. */
  mqtt: { url: string } | { off: string };
  /** Resolves when the server exits, for whatever reason. */
  exited: Promise<string>;
  /** SIGTERM (nats-server shuts down cleanly), SIGKILL after `graceMs`. */
  stop(graceMs: number): Promise<void>;
  kill(): void;
}

export interface NatsConfigFile {
  address: LocalAddress;
  storeDir: string;
  logFile: string;
  /** Null: no MQTT listener. */
  mqttPort: number | null;
}

/** The private server's config file: MQTT needs server_name and JetStream, which flags alone cannot give. */
export function natsConfig(config: NatsConfigFile): string {
  const host = JSON.stringify(config.address.host);
  return [
    '# Written by npm start at each start for its private nats-server; edits are lost.',
    'server_name: "sensors-dev"',
    `host: ${host}`,
    `port: ${config.address.port}`,
    `log_file: ${JSON.stringify(config.logFile)}`,
    `jetstream { store_dir: ${JSON.stringify(config.storeDir)} }`,
    ...(config.mqttPort === null ? [] : ['# MQTT topics map onto subjects: iot/reading/humidity/A/7 is iot.reading.humidity.A.7.', `mqtt { host: ${host}, port: ${config.mqttPort} }`]),
    '',
  ].join('\n');
}

/** Null when a server may listen on host:port, else why not (another MQTT broker, such as Mosquitto, often has 1883). */
export function portUnavailable(host: string, port: number): Promise<string | null> {
  return new Promise((resolveProbe) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolveProbe(error.code === 'EADDRINUSE' ? `port ${port} is taken` : `port ${port} cannot be used (${error.code ?? error.message})`));
    probe.listen(port, host, () => probe.close(() => resolveProbe(null)));
  });
}

/**
 * Starts nats-server with JetStream (store `<dataDir>/nats`, log `<dataDir>/nats.log`) and MQTT
 * on `mqttPort` unless that port is taken (then without MQTT), from `<dataDir>/nats.conf`, in its
 * own process group, so that a Ctrl-C in the terminal does not stop it before the services using it.
 */
export async function startPrivateNats(binary: string, address: LocalAddress, natsUrl: string, dataDir: string, mqttPort: number): Promise<PrivateNats> {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true });
  const storeDir = join(dir, 'nats');
  const logFile = join(dir, 'nats.log');
  const configFile = join(dir, 'nats.conf');
  const mqttOff = await portUnavailable(address.host, mqttPort);
  writeFileSync(configFile, natsConfig({ address, storeDir, logFile, mqttPort: mqttOff ? null : mqttPort }));
  const args = ['-c', configFile];
  const child = spawn(binary, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<string>((resolveExit) => {
    child.once('error', (error) => resolveExit(`could not be started: ${error.message}`));
    child.once('exit', (code, signal) => resolveExit(signal ? `was killed by ${signal}` : `exited with code ${code}`));
  });
  let exitedHow: string | null = null;
  void exited.then((how) => (exitedHow = how));

  const server: PrivateNats = {
    pid: child.pid ?? 0,
    storeDir,
    logFile,
    configFile,
    mqtt: mqttOff ? { off: `${mqttOff}; set MQTT_PORT to a free port for MQTT` } : { url: `mqtt://${address.host.includes(':') ? `[${address.host}]` : address.host}:${mqttPort}` },
    exited,
    async stop(graceMs) {
      if (exitedHow) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => server.kill(), graceMs);
      await exited;
      clearTimeout(timer);
    },
    kill() {
      if (!exitedHow) child.kill('SIGKILL');
    },
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while ((await natsUnreachable(natsUrl, 500)) !== null) {
    if (exitedHow || Date.now() > deadline) {
      server.kill();
      const why = exitedHow ?? `did not answer within ${START_TIMEOUT_MS / 1000} s`;
      throw new Error(`the private nats-server (${binary} ${args.join(' ')}) ${why}\n${stderr.trim() || logTail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return server;
}

/** The last lines of the server's log (which grows across runs: read only its end). */
function logTail(file: string, lines = 5): string {
  if (!existsSync(file)) return '';
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(Math.min(size, 4096));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    closeSync(fd);
  }
}
