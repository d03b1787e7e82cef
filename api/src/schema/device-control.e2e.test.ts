/**
 * Device control end to end: the API and projector on this test's stream and database, two
 * simulator processes (one of them started unassigned), and an admin driving them over GraphQL.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, type Account } from '../../../test/support/accounts.ts';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { startService, waitFor, type ServiceProcess } from '../../../test/support/processes.ts';

interface DeviceNode {
  deviceCode: string;
  deviceNumber: number;
  status: 'ONLINE' | 'OFFLINE' | 'SLEEPING' | 'AWAITING_TARGET';
  lostMessages: number;
  target: { name: string } | null;
}

const DEVICES = `query ($sensorType: String!) { devices(filter: { sensorType: $sensorType }) { nodes { deviceCode deviceNumber status lostMessages target { name } } } }`;
const DEVICE = `query ($c: String!, $n: Int!) { device(deviceCode: $c, deviceNumber: $n) { deviceCode deviceNumber status lostMessages target { name } } }`;
const COUNT = `query ($c: String!, $n: Int!, $t: String!) { readings(filter: { deviceCode: $c, deviceNumber: $n, sensorType: $t }, first: 1) { totalCount } }`;
const TOTAL = `query ($t: String!) { readings(filter: { sensorType: $t }, first: 1) { totalCount } }`;
const COMMAND = `mutation ($c: String!, $n: Int!, $cmd: DeviceCommand!) { sendDeviceCommand(deviceCode: $c, deviceNumber: $n, command: $cmd) { applied } }`;
const ASSIGN = `mutation ($c: String!, $n: Int!, $name: String!) { assignDeviceTarget(deviceCode: $c, deviceNumber: $n, target: { name: $name }) { applied } }`;

let env: TestEnv;
let api: ApiStack;
let admin: Account;
const simulators: ServiceProcess[] = [];

/** A simulator process on this test's stream, measuring every 200 ms (the benchmark flag) so that counts move within a test. */
function startSimulator(args: string[]): ServiceProcess {
  const child = startService('simulator/src/main.ts', env.env, ['--benchmark-interval-ms', '200', ...args]);
  simulators.push(child);
  return child;
}

async function query<T>(text: string, variables: Record<string, unknown>): Promise<T> {
  const response = await api.gql<T>(text, variables, admin.accessToken);
  if (!response.data) throw new Error(`request failed: ${JSON.stringify(response.errors)}`);
  return response.data;
}

const devicesOf = async (sensorType: string) => (await query<{ devices: { nodes: DeviceNode[] } }>(DEVICES, { sensorType })).devices.nodes;
const deviceStatus = async (d: DeviceNode) => (await query<{ device: DeviceNode }>(DEVICE, { c: d.deviceCode, n: d.deviceNumber })).device.status;
const readingsOf = async (d: DeviceNode, sensorType: string) =>
  (await query<{ readings: { totalCount: number } }>(COUNT, { c: d.deviceCode, n: d.deviceNumber, t: sensorType })).readings.totalCount;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env);
  admin = await register(api.gql, 'root');
  startSimulator(['--type', 'humidity', '--devices', '3', '--seed', '1']);
  startSimulator(['--type', 'temperature', '--devices', '2', '--seed', '2', '--unassigned']);
});

afterAll(async () => {
  for (const child of simulators) await child.kill('SIGKILL');
  await api?.stop();
  await env?.cleanup();
});

describe('device control end to end', () => {
  it('puts a device to sleep through GraphQL, stopping its readings while the others go on, and wakes it', async () => {
    const devices = await waitFor(async () => {
      const found = await devicesOf('humidity');
      return found.length === 3 && found.every((d) => d.status === 'ONLINE') ? found : undefined;
    }, 'three humidity devices online');
    const [sleeper, ...others] = devices as [DeviceNode, ...DeviceNode[]];

    expect(await query(COMMAND, { c: sleeper.deviceCode, n: sleeper.deviceNumber, cmd: 'SLEEP' })).toEqual({ sendDeviceCommand: { applied: true } });
    expect(await deviceStatus(sleeper)).toBe('SLEEPING');
    // The readings it took before the command are still published and projected.
    await sleep(1000);
    const before = await Promise.all(devices.map((d) => readingsOf(d, 'humidity')));
    await sleep(1500);
    const after = await Promise.all(devices.map((d) => readingsOf(d, 'humidity')));
    expect(after[0]).toBe(before[0]);
    others.forEach((_, i) => expect(after[i + 1]! - before[i + 1]!).toBeGreaterThanOrEqual(4));

    expect(await query(COMMAND, { c: sleeper.deviceCode, n: sleeper.deviceNumber, cmd: 'WAKE' })).toEqual({ sendDeviceCommand: { applied: true } });
    await waitFor(async () => (await readingsOf(sleeper, 'humidity')) >= after[0]! + 3, 'its readings to resume');
    const woken = (await query<{ device: DeviceNode }>(DEVICE, { c: sleeper.deviceCode, n: sleeper.deviceNumber })).device;
    // It spent no seq while asleep: nothing is counted lost.
    expect(woken).toMatchObject({ status: 'ONLINE', lostMessages: 0 });
  });

  it('shows the devices of an unassigned simulator awaiting a target with no readings, until a target is assigned', async () => {
    const devices = await waitFor(async () => {
      const found = await devicesOf('temperature');
      return found.length === 2 ? found : undefined;
    }, 'two announced temperature devices');
    expect(devices.map((d) => [d.status, d.target])).toEqual([
      ['AWAITING_TARGET', null],
      ['AWAITING_TARGET', null],
    ]);
    await sleep(1000);
    expect((await query<{ readings: { totalCount: number } }>(TOTAL, { t: 'temperature' })).readings.totalCount).toBe(0);

    const [assigned, waiting] = devices as [DeviceNode, DeviceNode];
    expect(await query(ASSIGN, { c: assigned.deviceCode, n: assigned.deviceNumber, name: 'greenhouse 7' })).toEqual({ assignDeviceTarget: { applied: true } });
    await waitFor(async () => (await readingsOf(assigned, 'temperature')) >= 3 && (await deviceStatus(assigned)) === 'ONLINE', 'the assigned device measuring and online');
    const now = await devicesOf('temperature');
    expect(now.map((d) => [d.deviceCode, d.deviceNumber, d.status, d.target?.name ?? null])).toEqual([
      [assigned.deviceCode, assigned.deviceNumber, 'ONLINE', 'greenhouse 7'],
      [waiting.deviceCode, waiting.deviceNumber, 'AWAITING_TARGET', null],
    ]);
    expect(await readingsOf(waiting, 'temperature')).toBe(0);
  });
});
