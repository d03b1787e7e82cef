/**
 * Simulated devices logging into the log stream, and obeying SET_LOG_LEVEL: live, and again
 * after a restart (from the stream's history), each device at its own level.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../schema/src/events.ts';
import { atLeastLevel, logSubjects, type DeviceLogLine, type LogLevel } from '../../schema/src/logs.ts';
import { publishEvent } from '../../schema/src/publish.ts';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { readLogLines } from '../../test/support/logs.ts';
import { waitFor } from '../../test/support/processes.ts';
import { followDeviceEvents, type DeviceEventFollower } from './device-events.ts';
import { createFleet, deviceCodeOf } from './fleet.ts';
import { createRng } from './random.ts';
import { buildSimulator, type Simulator } from './simulator.ts';

interface Device {
  deviceCode: string;
  deviceNumber: number;
}

const SEED = 21;
const DEVICES = 12;
const fleet = createFleet('humidity', DEVICES, createRng(SEED));
const devices: Device[] = Array.from({ length: DEVICES }, (_, i) => ({ deviceCode: deviceCodeOf(fleet, i), deviceNumber: fleet.numbers[i]! }));
/** Told to log errors and worse only: together they would log a few info lines a second otherwise. */
const quiet = devices.slice(0, 4);
const chatty = devices[4]!;
const others = devices.slice(5);

let env: TestEnv;
const running: { simulator: Simulator; follower: DeviceEventFollower }[] = [];

async function startSimulator(simulatorId: string): Promise<Simulator> {
  const simulator = buildSimulator(
    { simulatorId, sensorType: 'humidity', devices: DEVICES, intervalMs: 20, subjectPrefix: env.names.prefix, maxInFlight: 256, maxQueued: 10_000, ackTimeoutMs: 5000, tickMs: 10 },
    { nc: env.nc, clock: Date.now, rng: createRng(SEED) },
  );
  const follower = await followDeviceEvents(env.nc, simulator, { stream: env.names.stream, subjectPrefix: env.names.prefix, logger: pino({ level: 'silent' }) });
  simulator.start();
  running.push({ simulator, follower });
  return simulator;
}

async function stopAll(): Promise<void> {
  for (const { simulator, follower } of running.splice(0)) {
    await follower.stop();
    await simulator.stop(5000);
  }
}

function setLogLevel(device: Device, logLevel: LogLevel) {
  const commandId = randomUUID();
  const event: DomainEvent = {
    type: 'DeviceCommandIssued',
    version: 1,
    id: commandId,
    occurredAt: new Date().toISOString(),
    actor: 'operator',
    data: { commandId, ...device, command: 'SET_LOG_LEVEL', logLevel },
  };
  return publishEvent(jetstream(env.nc), env.names.prefix, event);
}

const isOf = (line: DeviceLogLine, device: Device) => line.deviceCode === device.deviceCode && line.deviceNumber === device.deviceNumber;
const linesOf = (lines: DeviceLogLine[], device: Device) => lines.filter((l) => isOf(l, device));
const linesOfAny = (lines: DeviceLogLine[], group: Device[]) => lines.filter((l) => group.some((d) => isOf(l, d)));
const levels = (lines: DeviceLogLine[]) => new Set(lines.map((l) => l.level));
const lastLogSequence = async () => (await (await jetstreamManager(env.nc)).streams.info(env.names.logStream)).state.last_seq;

beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await stopAll();
  await env?.cleanup();
});

describe('simulated device logs', () => {
  it('publishes lines at info and above by default, each to its device’s subject with its time and source', async () => {
    const simulator = await startSimulator('sim-humidity-logs1');
    const lines = await waitFor(async () => {
      const all = await readLogLines(env.nc, env.names);
      return all.filter((l) => l.level === 'info').length >= 10 ? all : undefined;
    }, 'ten info lines');
    expect(levels(lines).has('debug')).toBe(false);
    expect(new Set(lines.map((l) => l.source))).toEqual(new Set(['sim-humidity-logs1']));
    const one = linesOf(lines, lines[0]!)[0]!;
    expect(Math.abs(Date.parse(one.occurredAt) - Date.parse(one.receivedAt))).toBeLessThan(2000);
    // Only the log stream has them: the domain stream's subjects do not take `<prefix>.log.>`.
    const domain = await (await jetstreamManager(env.nc)).streams.info(env.names.stream);
    expect(domain.config.subjects).not.toContain(logSubjects.streamSubjects(env.names.prefix)[0]);
    expect(simulator.stats().logLines).toBeGreaterThanOrEqual(lines.length);
  });

  it('obeys SET_LOG_LEVEL per device, and still does after a restart', async () => {
    for (const device of quiet) await setLogLevel(device, 'error');
    await setLogLevel(chatty, 'debug');
    // Commands apply in the order they came: the chatty device's first debug line means both apply from here on.
    await waitFor(async () => linesOf(await readLogLines(env.nc, env.names), chatty).some((l) => l.level === 'debug'), 'a debug line of the chatty device');
    const cut = await lastLogSequence();
    await sleep(3000);
    const after = (await readLogLines(env.nc, env.names)).filter((l) => l.sequence > cut);
    // The devices left at info log several info lines meanwhile; the quiet ones, as many, would have too.
    const rest = linesOfAny(after, others);
    expect(rest.filter((l) => l.level === 'info').length).toBeGreaterThan(5);
    expect(levels(rest).has('debug')).toBe(false);
    expect(linesOfAny(after, quiet).filter((l) => !atLeastLevel(l.level, 'error'))).toEqual([]);
    expect(linesOf(after, chatty).filter((l) => l.level === 'debug').length).toBeGreaterThan(20);

    await stopAll();
    const restartedAt = await lastLogSequence();
    await startSimulator('sim-humidity-logs2');
    await sleep(3000);
    const replayed = (await readLogLines(env.nc, env.names)).filter((l) => l.sequence > restartedAt);
    expect(new Set(replayed.map((l) => l.source))).toEqual(new Set(['sim-humidity-logs2']));
    expect(linesOfAny(replayed, others).filter((l) => l.level === 'info').length).toBeGreaterThan(5);
    expect(levels(linesOfAny(replayed, others)).has('debug')).toBe(false);
    expect(linesOfAny(replayed, quiet).filter((l) => !atLeastLevel(l.level, 'error'))).toEqual([]);
    expect(linesOf(replayed, chatty).filter((l) => l.level === 'debug').length).toBeGreaterThan(20);
  });
});
