/**
 * Device commands and provisioning, against in-process simulators on a real stream: the
 * commands are published as the API publishes them, and what the simulator acked shows
 * which devices measured.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEvent, type DomainEvent } from '../../schema/src/events.ts';
import { publishEvent } from '../../schema/src/publish.ts';
import { ensureStreams } from '../../schema/src/stream.ts';
import { headers, streamNames, type StreamNames } from '../../schema/src/subjects.ts';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { PrivateNatsServer, waitFor } from '../../test/support/processes.ts';
import { simulatorStatus } from './control.ts';
import { followDeviceEvents, type DeviceEventFollower } from './device-events.ts';
import { createFleet, deviceCodeOf } from './fleet.ts';
import { createRng } from './random.ts';
import { buildSimulator, type Simulator } from './simulator.ts';
import { oneTo } from './testing/read-stream.ts';

interface Device {
  deviceCode: string;
  deviceNumber: number;
}

const keyOf = (d: Device) => `${d.deviceCode}.${d.deviceNumber}`;

/** The devices a simulator with this seed has (it draws them first, from the same generator). */
function devicesOf(seed: number, count: number): Device[] {
  const fleet = createFleet('humidity', count, createRng(seed));
  return Array.from({ length: count }, (_, i) => ({ deviceCode: deviceCodeOf(fleet, i), deviceNumber: fleet.numbers[i]! }));
}

function commandEvent(device: Device, command: 'SLEEP' | 'WAKE' | 'SET_INTERVAL', options: { intervalSeconds?: number; commandId?: string } = {}): DomainEvent {
  const commandId = options.commandId ?? randomUUID();
  const intervalSeconds = options.intervalSeconds === undefined ? {} : { intervalSeconds: options.intervalSeconds };
  return { type: 'DeviceCommandIssued', version: 1, id: commandId, occurredAt: new Date().toISOString(), actor: 'operator', data: { commandId, ...device, command, ...intervalSeconds } };
}

function targetEvent(device: Device, name: string): DomainEvent {
  const commandId = randomUUID();
  return { type: 'DeviceTargetAssigned', version: 1, id: commandId, occurredAt: new Date().toISOString(), actor: 'operator', data: { commandId, ...device, target: { name } } };
}

/** A logger whose lines the test can read. */
function capturingLogger() {
  const lines: { level: number; msg: string; [key: string]: unknown }[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, warnings: () => lines.filter((l) => l.level === 40) };
}

interface Run {
  simulator: Simulator;
  follower: DeviceEventFollower;
  devices: Device[];
  /** Acked reading seqs per device key. */
  seqs: Map<string, number[]>;
  count(device: Device): number;
  warnings(): { msg: string; [key: string]: unknown }[];
}

const runs: Run[] = [];

async function startSimulator(
  nc: NatsConnection,
  names: StreamNames,
  simulatorId: string,
  options: { seed: number; devices: number; intervalMs?: number; unassigned?: boolean; start?: boolean },
): Promise<Run> {
  const seqs = new Map<string, number[]>();
  const simulator = buildSimulator(
    {
      simulatorId,
      sensorType: 'humidity',
      devices: options.devices,
      intervalMs: options.intervalMs ?? 100,
      subjectPrefix: names.prefix,
      maxInFlight: 64,
      maxQueued: 10_000,
      ackTimeoutMs: 5000,
      tickMs: 20,
      unassigned: options.unassigned,
    },
    {
      nc,
      clock: Date.now,
      rng: createRng(options.seed),
      onAck: (id) => {
        const [, code, number, seq] = id.split('.');
        const key = `${code}.${number}`;
        seqs.set(key, [...(seqs.get(key) ?? []), Number(seq)]);
      },
    },
  );
  const { logger, warnings } = capturingLogger();
  const follower = await followDeviceEvents(nc, simulator, { stream: names.stream, subjectPrefix: names.prefix, logger, retryMs: 200 });
  if (options.start !== false) simulator.start();
  const run: Run = { simulator, follower, devices: devicesOf(options.seed, options.devices), seqs, count: (d) => seqs.get(keyOf(d))?.length ?? 0, warnings };
  runs.push(run);
  return run;
}

async function stopRun(run: Run): Promise<void> {
  runs.splice(runs.indexOf(run), 1);
  await run.follower.stop();
  await run.simulator.stop(5000);
}

/** Readings counted per device over `ms`, once the readings already taken are acked (after `settleMs`). */
async function countOver(run: Run, ms: number, settleMs = 300): Promise<Map<string, number>> {
  await sleep(settleMs);
  const before = new Map(run.devices.map((d) => [keyOf(d), run.count(d)]));
  await sleep(ms);
  return new Map(run.devices.map((d) => [keyOf(d), run.count(d) - before.get(keyOf(d))!]));
}

let env: TestEnv;
const publish = (event: DomainEvent, msgID?: string) => publishEvent(jetstream(env.nc), env.names.prefix, event, { msgID });

beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  for (const run of [...runs]) await stopRun(run);
  await env?.cleanup();
});

describe('a simulator obeying device commands', () => {
  it('stops one device measuring on SLEEP while the others carry on, and resumes it on WAKE with the next seq', async () => {
    const run = await startSimulator(env.nc, env.names, 'sim-humidity-sleep', { seed: 1, devices: 10 });
    const [sleeper, ...others] = run.devices as [Device, ...Device[]];
    await waitFor(() => run.devices.every((d) => run.count(d) >= 3), 'every device measuring');

    await publish(commandEvent(sleeper, 'SLEEP'));
    await waitFor(() => run.simulator.stats().sleeping === 1, 'the device asleep');
    const asleep = await countOver(run, 1000);
    expect(asleep.get(keyOf(sleeper))).toBe(0);
    for (const d of others) expect(asleep.get(keyOf(d))).toBeGreaterThanOrEqual(5);

    const seqsBefore = run.count(sleeper);
    await publish(commandEvent(sleeper, 'WAKE'));
    await waitFor(() => run.count(sleeper) >= seqsBefore + 3, 'the device measuring again');
    expect(run.simulator.stats().sleeping).toBe(0);
    // No seq was spent while it slept: the platform counts nothing lost.
    expect(run.seqs.get(keyOf(sleeper))!.sort((a, b) => a - b)).toEqual(oneTo(run.count(sleeper)));
    await stopRun(run);
  });

  it('acts on a command id once, even when the command reaches it twice', async () => {
    const run = await startSimulator(env.nc, env.names, 'sim-humidity-idem', { seed: 2, devices: 5 });
    const device = run.devices[0]!;
    const sleepCommand = commandEvent(device, 'SLEEP', { commandId: 'idem-sleep-1' });
    await publish(sleepCommand);
    await waitFor(() => run.simulator.stats().sleeping === 1, 'the device asleep');
    await publish(commandEvent(device, 'WAKE'));
    await waitFor(() => run.simulator.stats().sleeping === 0, 'the device awake');
    // The same SLEEP again, stored a second time (as after the duplicate window): already applied, so ignored.
    await publish(sleepCommand, `${sleepCommand.id}-again`);
    const counts = await countOver(run, 800);
    expect(run.simulator.stats().sleeping).toBe(0);
    expect(counts.get(keyOf(device))).toBeGreaterThanOrEqual(4);
    await stopRun(run);
  });

  it('slows one device down with SET_INTERVAL while the others keep their interval', async () => {
    const run = await startSimulator(env.nc, env.names, 'sim-humidity-slow', { seed: 3, devices: 10 });
    const [slow, ...others] = run.devices as [Device, ...Device[]];
    await waitFor(() => run.count(slow) >= 3, 'the device measuring');
    await publish(commandEvent(slow, 'SET_INTERVAL', { intervalSeconds: 5 }));
    // Its next reading comes at least one old interval after the last; then one every 5 s.
    await sleep(300);
    const counts = await countOver(run, 5200);
    expect(counts.get(keyOf(slow))).toBeGreaterThanOrEqual(1);
    expect(counts.get(keyOf(slow))).toBeLessThanOrEqual(2);
    for (const d of others) expect(counts.get(keyOf(d))).toBeGreaterThanOrEqual(40);
    expect(run.seqs.get(keyOf(slow))!.sort((a, b) => a - b)).toEqual(oneTo(run.count(slow)));
    await stopRun(run);
  });

  it('ignores, with a warning, an invalid command for its device and one whose subject names another device', async () => {
    const run = await startSimulator(env.nc, env.names, 'sim-humidity-invalid', { seed: 4, devices: 3 });
    const [device, other] = run.devices as [Device, Device, Device];
    const js = jetstream(env.nc);
    await js.publish(`${env.names.prefix}.device.command.${device.deviceCode}.${device.deviceNumber}`, JSON.stringify({ ...commandEvent(device, 'SET_INTERVAL') }));
    await js.publish(`${env.names.prefix}.device.command.${device.deviceCode}.${device.deviceNumber}`, '{not json');
    await js.publish(`${env.names.prefix}.device.command.${device.deviceCode}.${device.deviceNumber}`, JSON.stringify(commandEvent(other, 'SLEEP')));
    await waitFor(() => run.warnings().length === 3, 'three warnings');
    expect(run.warnings().map((w) => [w.msg, w.reason ?? w.eventType])).toEqual([
      ['ignoring an invalid device event', 'invalid_data'],
      ['ignoring an invalid device event', 'malformed_json'],
      ['ignoring a device event that does not belong on its subject', 'DeviceCommandIssued'],
    ]);
    expect(run.simulator.stats().sleeping).toBe(0);
    await stopRun(run);
  });
});

describe('a simulator started unassigned', () => {
  /** The DeviceAnnounced events stored under this test's prefix, with their message ids. */
  async function announcements(): Promise<{ msgId: string | undefined; event: DomainEvent }[]> {
    const consumer = await jetstream(env.nc).consumers.get(env.names.stream, { filter_subjects: `${env.names.prefix}.device.announced.>` });
    const pending = (await consumer.info(true)).num_pending;
    const out: { msgId: string | undefined; event: DomainEvent }[] = [];
    if (pending === 0) return out;
    for await (const m of await consumer.fetch({ max_messages: pending, expires: 2000 })) {
      const decoded = decodeEvent(m.data, { maxFutureMs: 0 });
      if (!decoded.ok) throw new Error(`announcement ${m.seq} does not decode: ${decoded.detail}`);
      out.push({ msgId: m.headers?.get(headers.msgId), event: decoded.event });
    }
    await consumer.delete();
    return out;
  }

  it('announces its devices and measures nothing until a target is assigned; a restart remembers targets, sleep and interval', async () => {
    const first = await startSimulator(env.nc, env.names, 'sim-humidity-prov1', { seed: 5, devices: 4, unassigned: true });
    const [assigned, sleeper, waiting1, waiting2] = first.devices as [Device, Device, Device, Device];
    expect(await first.simulator.announce()).toBe(4);
    const announced = await announcements();
    expect(announced.map((a) => a.event.data)).toEqual(
      expect.arrayContaining(first.devices.map((d) => ({ ...d, sensorType: 'humidity', source: 'sim-humidity-prov1' }))),
    );
    expect(announced.map((a) => a.msgId).sort()).toEqual(first.devices.map((d) => `announced.humidity.${d.deviceCode}.${d.deviceNumber}`).sort());
    await sleep(500);
    expect(first.simulator.stats()).toMatchObject({ generated: 0, awaitingTarget: 4 });

    await publish(targetEvent(assigned, 'greenhouse'));
    await waitFor(() => first.count(assigned) >= 3, 'the assigned device measuring');
    expect(first.simulator.stats().awaitingTarget).toBe(3);
    expect([sleeper, waiting1, waiting2].map((d) => first.count(d))).toEqual([0, 0, 0]);

    // The other device gets a target twice, its own interval, then is put to sleep; then the simulator restarts.
    await publish(targetEvent(sleeper, 'old greenhouse'));
    await publish(targetEvent(sleeper, 'new greenhouse'));
    await publish(commandEvent(sleeper, 'SET_INTERVAL', { intervalSeconds: 60 }));
    await publish(commandEvent(sleeper, 'SLEEP'));
    await waitFor(() => first.simulator.stats().sleeping === 1, 'the second device asleep');
    await stopRun(first);

    const second = await startSimulator(env.nc, env.names, 'sim-humidity-prov2', { seed: 5, devices: 4, unassigned: true });
    // As its `status` endpoint reports it.
    expect(simulatorStatus(second.simulator, new Date().toISOString())).toMatchObject({ awaitingTarget: 2, sleeping: 1 });
    // Within the duplicate window the announcements are stored once.
    expect(await second.simulator.announce()).toBe(2);
    expect(await announcements()).toHaveLength(4);
    await waitFor(() => second.count(assigned) >= 3, 'the assigned device measuring at once');
    expect([sleeper, waiting1, waiting2].map((d) => second.count(d))).toEqual([0, 0, 0]);

    // Woken, it keeps the interval it was given before the restart: at most one reading a minute.
    await publish(commandEvent(sleeper, 'WAKE'));
    await waitFor(() => second.simulator.stats().sleeping === 0, 'the device awake');
    const counts = await countOver(second, 1000);
    expect(counts.get(keyOf(assigned))).toBeGreaterThanOrEqual(5);
    expect(counts.get(keyOf(sleeper))).toBeLessThanOrEqual(1);
    expect([waiting1, waiting2].map((d) => second.count(d))).toEqual([0, 0]);
    await stopRun(second);
  });
});

describe('a simulator cut off from NATS', () => {
  const names = streamNames('DEVFAULT', 'devfault');
  let server: PrivateNatsServer;
  let simulatorNc: NatsConnection;
  let operatorNc: NatsConnection;

  beforeAll(async () => {
    server = await PrivateNatsServer.start();
    // A long wait between reconnect attempts, so that a command is stored while the simulator is still away.
    simulatorNc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 3000, reconnectJitter: 0 });
    await ensureStreams(await jetstreamManager(simulatorNc), names);
  });
  afterAll(async () => {
    for (const run of runs.splice(0)) await stopRun(run);
    await operatorNc?.close();
    await simulatorNc?.close();
    await server?.destroy();
  });

  it('applies a command stored while it was disconnected once it is back', async () => {
    const run = await startSimulator(simulatorNc, names, 'sim-humidity-cutoff', { seed: 6, devices: 3 });
    const device = run.devices[0]!;
    await waitFor(() => run.count(device) >= 3, 'the device measuring');

    await server.stop('SIGKILL');
    await server.restart();
    operatorNc = await connect({ servers: server.url });
    const sleepCommand = commandEvent(device, 'SLEEP');
    // JetStream may still be recovering its store; a retry with the same id is stored once.
    await waitFor(() => publishEvent(jetstream(operatorNc), names.prefix, sleepCommand).then(() => true), 'the command stored', 10_000, 200);
    // Not seen live: the simulator was away when it was published.
    expect(run.simulator.stats().sleeping).toBe(0);
    await waitFor(() => run.simulator.stats().sleeping === 1, 'the command applied after the reconnect', 15_000);
    await run.follower.settled();
    // The readings taken before the command, some held through the outage, all acked; then none from the sleeper.
    expect(await run.simulator.stop(10_000)).toBe(true);
    run.simulator.start();
    const counts = await countOver(run, 800);
    expect(counts.get(keyOf(device))).toBe(0);
    expect(counts.get(keyOf(run.devices[1]!))).toBeGreaterThanOrEqual(4);
  });
});
