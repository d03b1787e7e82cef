/**
 * `npm start` as a user runs it: the launcher as a real process, with its own database,
 * stream and a NATS_URL where nothing listens (so it starts its own nats-server).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '../schema/src/database.ts';
import { SHARED_DATABASE_URL } from '../test/support/env.ts';
import { freePort, startService, waitFor, type ServiceProcess } from '../test/support/processes.ts';

const SENSOR_TYPES = ['temperature', 'humidity', 'pressure'];

/** Every process (ours, found through /proc) whose environment has `NAME=value`, with its command line. */
function processesWithEnv(variable: string, value: string): Array<{ pid: number; command: string }> {
  const found: Array<{ pid: number; command: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0');
      if (!environ.includes(`${variable}=${value}`)) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim();
      found.push({ pid: Number(entry), command });
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  return found;
}

function isolatedEnv() {
  const id = `start${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const url = new URL(SHARED_DATABASE_URL);
  url.pathname = `/sensors_${id}`;
  return { id, databaseUrl: url.toString(), stream: id.toUpperCase(), prefix: id };
}

/** Fails at once, with the launcher's output, if it exits while we wait for something. */
function unlessExited<T>(launcher: ServiceProcess, waiting: Promise<T>): Promise<T> {
  const exitedEarly = launcher.exited.then((code) => {
    throw new Error(`the launcher exited with code ${code}:\n${launcher.output()}`);
  });
  return Promise.race([waiting, exitedEarly]);
}

describe('npm start (scripts/start.ts)', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('starts a private nats-server with MQTT, the projector and three simulators, shows readings of all three types arriving and one sent over MQTT, restarts a simulator that dies, and stops everything on Ctrl-C', async () => {
    const isolated = isolatedEnv();
    const dataDir = mkdtempSync(join(tmpdir(), 'npm-start-'));
    const db = new pg.Pool({ connectionString: isolated.databaseUrl, max: 1 });
    db.on('error', () => undefined);
    cleanups.push(
      () => rmSync(dataDir, { recursive: true, force: true }),
      () => dropDatabase(isolated.databaseUrl),
      () => db.end(),
      () => {
        // Should the launcher have left anything behind, do not leave it running after the test.
        for (const { pid } of processesWithEnv('STREAM_NAME', isolated.stream)) process.kill(pid, 'SIGKILL');
      },
    );
    const natsUrl = `nats://127.0.0.1:${await freePort()}`;
    const mqttPort = await freePort();
    const projectorMetricsPort = await freePort();
    const startedAt = Date.now();
    const launcher = startService('scripts/start.ts', {
      DATABASE_URL: isolated.databaseUrl,
      NATS_URL: natsUrl,
      STREAM_NAME: isolated.stream,
      SUBJECT_PREFIX: isolated.prefix,
      DATA_DIR: dataDir,
      SIM_DEVICES: '3',
      SIM_BENCHMARK_INTERVAL_MS: '200',
      LOG_LEVEL: 'warn',
      // npm start also runs the API when api/src/main.ts exists: keep it off the default port.
      PORT: String(await freePort()),
      MQTT_PORT: String(mqttPort),
      // Metrics listeners: the projector's on a port of ours, the simulators' on free ones.
      PROJECTOR_METRICS_PORT: String(projectorMetricsPort),
      SIMULATOR_METRICS_PORT: '0',
    });
    cleanups.push(() => void launcher.kill('SIGKILL'));

    const counts = await unlessExited(
      launcher,
      waitFor(
        async () => {
          const result = await db.query<{ sensor_type: string; n: string }>('SELECT sensor_type, count(*) AS n FROM readings GROUP BY 1');
          const byType = new Map(result.rows.map((row) => [row.sensor_type, Number(row.n)]));
          return SENSOR_TYPES.every((type) => (byType.get(type) ?? 0) > 0) ? byType : undefined;
        },
        'readings of all three sensor types in Postgres',
        30_000 - (Date.now() - startedAt),
        250,
      ),
    );
    expect([...counts.keys()].sort()).toEqual(['humidity', 'pressure', 'temperature']);
    await unlessExited(
      launcher,
      waitFor(() => /readings in Postgres: temperature [1-9]\d*, humidity [1-9]\d*, pressure [1-9]\d*/.test(launcher.output()), 'the launcher to report the readings', 15_000, 100),
    );
    expect(launcher.output()).toContain(`${natsUrl}  (private nats-server`);
    expect(launcher.output()).toContain(`stream           ${isolated.stream} on ${isolated.prefix}.reading.>`);
    expect(launcher.output()).toContain(`MQTT             mqtt://127.0.0.1:${mqttPort}  (topics ${isolated.prefix}/reading/<sensorType>/<deviceCode>/<deviceNumber>, ${isolated.prefix}/log/<deviceCode>/<deviceNumber>)`);
    expect(launcher.output()).toContain(`device logs      ${isolated.stream}_LOGS on ${isolated.prefix}.log.>, kept 24 h (DEVICE_LOG_RETENTION)`);
    expect(launcher.output()).toMatch(new RegExp(`projector +pid \\d+  metrics http://localhost:${projectorMetricsPort}/metrics`));
    expect(launcher.output()).toMatch(/sim-humidity +pid \d+ {2}\(metrics on a free port, logged at its start\)/);
    expect(await (await fetch(`http://127.0.0.1:${projectorMetricsPort}/metrics`)).text()).toContain('sensors_projector_lag_events');

    // A device publishing over the private server's MQTT reaches Postgres like the simulators.
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${mqttPort}`, { clientId: `device-${isolated.id}`, reconnectPeriod: 0 });
    await device.publishAsync(`${isolated.prefix}/reading/co2/MQTT/1`, JSON.stringify({ value: 640, seq: 1 }), { qos: 1 });
    await device.endAsync();
    await unlessExited(
      launcher,
      waitFor(async () => (await db.query("SELECT 1 FROM readings WHERE device_code = 'MQTT' AND sensor_type = 'co2' AND value = 640")).rowCount === 1, 'the MQTT reading in Postgres', 10_000, 100),
    );

    const running = processesWithEnv('STREAM_NAME', isolated.stream).filter(({ pid }) => pid !== launcher.child.pid);
    const commands = running.map(({ command }) => command);
    expect(commands.filter((c) => c.includes('nats-server') && c.includes(dataDir))).toHaveLength(1);
    expect(commands.filter((c) => c.includes('projector/src/main.ts'))).toHaveLength(1);
    expect(commands.filter((c) => c.includes('simulator/src/main.ts')).sort()).toEqual([
      expect.stringContaining('--type humidity --devices 3'),
      expect.stringContaining('--type pressure --devices 3'),
      expect.stringContaining('--type temperature --devices 3'),
    ]);

    const humidity = running.find(({ command }) => command.includes('--type humidity'));
    if (!humidity) throw new Error(`no humidity simulator among ${commands.join('; ')}`);
    const humidityPid = humidity.pid;
    process.kill(humidityPid, 'SIGKILL');
    await unlessExited(
      launcher,
      waitFor(() => launcher.output().includes('sim-humidity was killed by SIGKILL unexpectedly; restarting it in 1 s'), 'the launcher to report the dead simulator', 5000),
    );
    const restarted = await waitFor(
      () => processesWithEnv('STREAM_NAME', isolated.stream).find(({ pid, command }) => command.includes('--type humidity') && pid !== humidityPid),
      'a new humidity simulator',
      5000,
    );
    expect(restarted.command).toContain('simulator/src/main.ts --type humidity --devices 3');

    launcher.child.kill('SIGINT');
    expect(await launcher.exited).toBe(0);
    expect(launcher.output()).toMatch(/SIGINT: stopping everything[\s\S]*stopped\n/);
    // Grandchildren (tsx's esbuild helpers) go when their parent's pipes close: allow them a moment.
    const leftOver = await waitFor(
      () => {
        const alive = processesWithEnv('STREAM_NAME', isolated.stream);
        return alive.length === 0 ? alive : undefined;
      },
      'every process the launcher started to be gone',
      3000,
    ).catch(() => processesWithEnv('STREAM_NAME', isolated.stream));
    expect(leftOver).toEqual([]);
  }, 90_000);

  it('refuses to start with a malformed DATABASE_URL, naming the variable', async () => {
    const launcher = startService('scripts/start.ts', { DATABASE_URL: 'not-a-url' });
    const code = await launcher.exited;
    expect(code).not.toBe(0);
    expect(launcher.output()).toContain('Invalid environment variable DATABASE_URL: expected a postgres:// URL, got "not-a-url"');
  });

  it('stops with a message naming DATABASE_URL and how to start PostgreSQL when nothing answers there', async () => {
    const url = `postgres://postgres@127.0.0.1:${await freePort()}/sensors`;
    const launcher = startService('scripts/start.ts', { DATABASE_URL: url });
    expect(await launcher.exited).toBe(1);
    expect(launcher.output()).toContain(`PostgreSQL is not reachable at DATABASE_URL=${url}`);
    expect(launcher.output()).toContain('Start PostgreSQL 15');
  });

  it('stops with a message saying how to get NATS when NATS_URL is not local and does not answer', async () => {
    const isolated = isolatedEnv();
    const launcher = startService('scripts/start.ts', { DATABASE_URL: isolated.databaseUrl, NATS_URL: 'nats://nats.invalid:4222' });
    expect(await launcher.exited).toBe(1);
    expect(launcher.output()).toContain('NATS is not reachable at NATS_URL=nats://nats.invalid:4222');
    expect(launcher.output()).toContain('install nats-server 2.9+');
    // Nothing was started or created on the way out.
    const exists = new pg.Client({ connectionString: SHARED_DATABASE_URL });
    await exists.connect();
    const found = await exists.query('SELECT 1 FROM pg_database WHERE datname = $1', [`sensors_${isolated.id}`]);
    await exists.end();
    expect(found.rowCount).toBe(0);
  });
});
