/**
 * Our services as real processes for fault tests (projector, API, simulator), and the
 * checks every fault test ends with: the read model against the stream, the source of truth.
 */
import { readFileSync } from 'node:fs';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import { decodeStored, storedAtMs, type DomainEvent } from '../../../schema/src/index.ts';
import { readModelChecksum } from '../../../projector/src/readings/checksum.ts';
import { LIVE_TABLES } from '../../../projector/src/readings/tables.ts';
import { rebuildReadModels } from '../../../projector/src/rebuild/rebuild.ts';
import { FAST_ARGON2, TEST_JWT_SECRET } from '../../support/api.ts';
import type { TestEnv } from '../../support/env.ts';
import { startService, waitFor, type ServiceProcess } from '../../support/processes.ts';

export const ADMIN = { username: 'faultadmin', password: 'fault-admin-password' };

/** Every process a test file starts, so afterAll can kill whatever is left, also after a failure. */
export class Processes {
  private readonly all = new Set<ServiceProcess>();
  private readonly named: { name: string; process: ServiceProcess }[] = [];

  track(process: ServiceProcess, name: string): ServiceProcess {
    this.all.add(process);
    this.named.push({ name, process });
    void process.exited.then(() => this.all.delete(process));
    return process;
  }

  /** The last lines each process wrote (warnings and errors only), to explain a failed test. */
  report(lines = 15): string {
    return this.named
      .map(({ name, process }) => {
        const tail = process.output().split('\n').filter((l) => l && !l.includes('"level":30')).slice(-lines);
        return `── ${name} (pid ${process.child.pid}, exit ${process.child.exitCode ?? process.child.signalCode ?? 'running'})\n${tail.join('\n')}`;
      })
      .join('\n');
  }

  async killAll(): Promise<void> {
    await Promise.all([...this.all].map((p) => p.kill('SIGKILL')));
  }
}

export function startProjectorProcess(processes: Processes, env: TestEnv, extra: Record<string, string> = {}): ServiceProcess {
  return processes.track(startService('projector/src/main.ts', { ...env.env, LOG_LEVEL: 'info', PROJECTOR_METRICS_PORT: '0', ...extra }), 'projector');
}

export interface ApiProcess {
  process: ServiceProcess;
  url: string;
  origin: string;
}

export async function startApiProcess(processes: Processes, env: TestEnv, port: number, extra: Record<string, string> = {}): Promise<ApiProcess> {
  const origin = `http://127.0.0.1:${port}`;
  const process = processes.track(
    startService('api/src/main.ts', {
      ...env.env,
      ...FAST_ARGON2,
      LOG_LEVEL: 'info',
      PORT: String(port),
      JWT_SECRET: TEST_JWT_SECRET,
      DATA_DIR: `/tmp/${env.id}-api`,
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      ...extra,
    }),
    'api',
  );
  await waitFor(
    async () => {
      if (process.child.exitCode !== null) throw new Error(`the API exited with ${process.child.exitCode}: ${process.output().slice(-2000)}`);
      return (await fetch(`${origin}/healthz`)).ok;
    },
    'the API to answer /healthz',
    60_000,
    100,
  );
  return { process, url: `${origin}/graphql`, origin };
}

/** A simulator process publishing `devices × 1000 / intervalMs` readings a second (the benchmark flag allows < 5 s). */
export function startSimulatorProcess(processes: Processes, env: TestEnv, options: { type: string; devices: number; intervalMs: number; seed: number }): ServiceProcess {
  return processes.track(
    startService('simulator/src/main.ts', { ...env.env, LOG_LEVEL: 'info', SIMULATOR_METRICS_PORT: '0' }, [
      '--type', options.type,
      '--devices', String(options.devices),
      '--benchmark-interval-ms', String(options.intervalMs),
      '--seed', String(options.seed),
    ]),
    'simulator',
  );
}

/** The JSON log lines a process wrote whose `msg` is `message`. */
export function logLines(process: ServiceProcess, message: string): Record<string, unknown>[] {
  return process
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return {};
      }
    })
    .filter((entry) => entry.msg === message);
}

/** Resident memory of a process, in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!match) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) / 1024;
}

export async function streamHead(nc: NatsConnection, stream: string): Promise<number> {
  return (await (await jetstreamManager(nc)).streams.info(stream)).state.last_seq;
}

export interface StreamEvent {
  sequence: number;
  event: DomainEvent;
}

/** Every event in the stream, in order, decoded by the projector's own rule (events it would refuse are left out). */
export async function readStreamEvents(nc: NatsConnection, stream: string, prefix: string): Promise<StreamEvent[]> {
  const head = await streamHead(nc, stream);
  const out: StreamEvent[] = [];
  if (head === 0) return out;
  const consumer = await jetstream(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.All });
  const messages = await consumer.consume({ max_messages: 5000 });
  try {
    for await (const m of messages) {
      const decoded = decodeStored({ subject: m.subject, data: m.data, sequence: m.seq, storedAtMs: storedAtMs(m.timestampNanos) }, { maxFutureMs: 300_000, prefix });
      if (decoded.ok) out.push({ sequence: m.seq, event: decoded.event });
      if (m.seq >= head) break;
    }
  } finally {
    messages.stop();
  }
  return out;
}

export async function checkpointOf(db: pg.Pool, stream: string): Promise<number> {
  const result = await db.query<{ last_sequence: string }>('SELECT last_sequence FROM projector_checkpoints WHERE name = $1', [`readings:${stream}`]);
  return Number(result.rows[0]?.last_sequence ?? 0);
}

/** Waits until the projector's checkpoint reaches the stream head (as it stands when asked). */
export async function waitForCatchUp(env: TestEnv, timeoutMs: number): Promise<number> {
  const head = await streamHead(env.nc, env.names.stream);
  await waitFor(async () => (await checkpointOf(env.db, env.names.stream)) >= head, `the projector to reach the stream head ${head}`, timeoutMs, 200);
  return head;
}

export interface ReadingRow {
  id: number;
  sensorType: string;
  value: number;
  deviceCode: string;
  deviceNumber: number;
  version: number;
}

/** What the readings table should hold, folded straight from the stream: each reading once, each edit once. */
export function expectedReadings(events: readonly StreamEvent[]): ReadingRow[] {
  const rows = new Map<number, ReadingRow>();
  const appliedCommands = new Set<string>();
  for (const { sequence, event } of events) {
    if (event.type === 'ReadingRecorded') {
      const d = event.data;
      rows.set(sequence, { id: sequence, sensorType: d.sensorType, value: d.value, deviceCode: d.deviceCode, deviceNumber: d.deviceNumber, version: 0 });
    } else if (event.type === 'ReadingsEdited') {
      if (appliedCommands.has(event.data.commandId)) continue;
      appliedCommands.add(event.data.commandId);
      const { filter, changes } = event.data;
      // The fault tests edit by device and set a value inside every type's range: no range or time checks needed here.
      if (filter.from !== undefined || filter.to !== undefined || changes.sensorType !== undefined || changes.timestamp !== undefined) {
        throw new Error('expectedReadings folds edits by device and value only');
      }
      for (const row of rows.values()) {
        if (filter.deviceCode !== undefined && row.deviceCode !== filter.deviceCode) continue;
        if (filter.deviceNumber !== undefined && row.deviceNumber !== filter.deviceNumber) continue;
        if (filter.sensorType !== undefined && row.sensorType !== filter.sensorType) continue;
        if (changes.value !== undefined) row.value = changes.value;
        row.version += 1;
      }
    }
  }
  return [...rows.values()];
}

export async function readingRows(db: pg.Pool): Promise<ReadingRow[]> {
  const result = await db.query<{ id: string; sensor_type: string; value: number; device_code: string; device_number: number; version: number }>(
    'SELECT id, sensor_type, value, device_code, device_number, version FROM readings ORDER BY id',
  );
  return result.rows.map((r) => ({ id: Number(r.id), sensorType: r.sensor_type, value: r.value, deviceCode: r.device_code, deviceNumber: r.device_number, version: r.version }));
}

/** Ids that occur more than once, and stream sequences missing from / extra in the table: all empty when the projection is exact. */
export function compareWithStream(expected: readonly ReadingRow[], actual: readonly ReadingRow[]) {
  const want = new Map(expected.map((r) => [r.id, r]));
  const seen = new Set<number>();
  const duplicated: number[] = [];
  const extra: number[] = [];
  const different: { expected: ReadingRow; actual: ReadingRow }[] = [];
  for (const row of actual) {
    if (seen.has(row.id)) duplicated.push(row.id);
    seen.add(row.id);
    const expectedRow = want.get(row.id);
    if (!expectedRow) extra.push(row.id);
    else if (JSON.stringify(expectedRow) !== JSON.stringify(row)) different.push({ expected: expectedRow, actual: row });
  }
  const lost = expected.filter((r) => !seen.has(r.id)).map((r) => r.id);
  return { lost, duplicated, extra, different: different.slice(0, 5), differentCount: different.length, rows: actual.length };
}

/** The read model's checksum now, and that of a fresh rebuild from the stream (which it swaps in): equal when nothing was lost or applied twice. */
export async function liveAndRebuiltChecksums(env: TestEnv): Promise<{ live: string; rebuilt: string }> {
  const live = await readModelChecksum(env.db, LIVE_TABLES);
  const rebuilt = await rebuildReadModels({ databaseUrl: env.databaseUrl, names: env.names, batchSize: 5000, maxFutureMs: 300_000 }, { nc: env.nc });
  return { live, rebuilt: rebuilt.checksum };
}
