import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../schema/src/events.ts';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { publishEvents, reading } from '../../../test/support/events.ts';
import { collectWs, wsClient } from '../../../test/support/live.ts';
import { waitFor } from '../../../test/support/processes.ts';

let env: TestEnv;
let api: ApiStack;
let admin: string;
let user: string;

const announce = (deviceCode: string, deviceNumber: number): DomainEvent => ({
  type: 'DeviceAnnounced',
  version: 1,
  id: randomUUID(),
  occurredAt: new Date().toISOString(),
  data: { deviceCode, deviceNumber, sensorType: 'humidity', source: 'test' },
});

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env);
  const register = async (username: string) =>
    (await api.gql<{ register: { accessToken: string } }>(`mutation($u: String!) { register(username: $u, password: "password123") { accessToken } }`, { u: username })).data!.register.accessToken;
  admin = await register('admin');
  user = await register('viewer');
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

const STATUS = `query($c: String!, $n: Int!) { device(deviceCode: $c, deviceNumber: $n) { status intervalSeconds target { name latitude longitude } } }`;
const COMMAND = `mutation($c: String!, $n: Int!, $cmd: DeviceCommand!, $s: Int) { sendDeviceCommand(deviceCode: $c, deviceNumber: $n, command: $cmd, intervalSeconds: $s) { applied } }`;
const ASSIGN = `mutation($c: String!, $n: Int!, $t: DeviceTargetInput!) { assignDeviceTarget(deviceCode: $c, deviceNumber: $n, target: $t) { applied } }`;
type Device = { device: { status: string; intervalSeconds: number; target: { name: string; latitude: number | null; longitude: number | null } | null } };

describe('device commands', () => {
  it('puts a device to sleep and wakes it, changes its interval, and reports each status change live', async () => {
    const seqs = await publishEvents(jetstream(env.nc), env.names, [reading({ deviceCode: 'CMD', deviceNumber: 1, at: Date.now() })]);
    await api.projector.waitFor(seqs[0]!, 5000);
    const client = wsClient(api.url, admin);
    const live = collectWs<{ deviceStatusChanged: { status: string; previousStatus: string } }>(client, `subscription { deviceStatusChanged(deviceCode: "CMD") { status previousStatus } }`);
    await new Promise((r) => setTimeout(r, 1500));

    expect((await api.gql(COMMAND, { c: 'CMD', n: 1, cmd: 'SLEEP' }, admin)).data).toEqual({ sendDeviceCommand: { applied: true } });
    expect((await api.gql<Device>(STATUS, { c: 'CMD', n: 1 }, admin)).data?.device.status).toBe('SLEEPING');
    await waitFor(() => live.items.length === 1, 'the SLEEPING transition', 5000);

    await api.gql(COMMAND, { c: 'CMD', n: 1, cmd: 'WAKE' }, admin);
    await api.gql(COMMAND, { c: 'CMD', n: 1, cmd: 'SET_INTERVAL', s: 30 }, admin);
    expect((await api.gql<Device>(STATUS, { c: 'CMD', n: 1 }, admin)).data?.device).toMatchObject({ status: 'ONLINE', intervalSeconds: 30 });
    await waitFor(() => live.items.length === 2, 'the ONLINE transition', 5000);
    expect(live.items.map((i) => i.deviceStatusChanged)).toEqual([
      { status: 'SLEEPING', previousStatus: 'ONLINE' },
      { status: 'ONLINE', previousStatus: 'SLEEPING' },
    ]);
    await client.dispose();
  });

  it('refuses bad commands with the reason, and users', async () => {
    const code = async (variables: Record<string, unknown>, token = admin) => {
      const r = await api.gql(COMMAND, variables, token);
      return [r.errors?.[0]?.extensions?.code, r.errors?.[0]?.message];
    };
    expect(await code({ c: 'CMD', n: 1, cmd: 'SET_INTERVAL', s: 4 })).toEqual(['BAD_USER_INPUT', 'interval must be at least 5 seconds (and at most a day)']);
    expect(await code({ c: 'CMD', n: 1, cmd: 'SET_INTERVAL' })).toEqual(['BAD_USER_INPUT', 'intervalSeconds is required for SET_INTERVAL']);
    expect(await code({ c: 'NOPE', n: 9, cmd: 'SLEEP' })).toEqual(['NOT_FOUND', 'no device NOPE-9 has been seen']);
    expect((await code({ c: 'CMD', n: 1, cmd: 'SLEEP' }, user))[0]).toBe('FORBIDDEN');
  });

  it('keeps an announced device awaiting its target until one is assigned', async () => {
    const seqs = await publishEvents(jetstream(env.nc), env.names, [announce('PROV', 1)]);
    await api.projector.waitFor(seqs[0]!, 5000);
    expect((await api.gql<Device>(STATUS, { c: 'PROV', n: 1 }, admin)).data?.device).toMatchObject({ status: 'AWAITING_TARGET', target: null });
    const bad = await api.gql(ASSIGN, { c: 'PROV', n: 1, t: { name: 'greenhouse', latitude: 91 } }, admin);
    expect(bad.errors?.[0]).toMatchObject({ message: 'latitude must be between -90 and 90', extensions: { code: 'BAD_USER_INPUT', field: 'latitude' } });
    expect((await api.gql(ASSIGN, { c: 'PROV', n: 1, t: { name: 'greenhouse', latitude: 52.1, longitude: 4.3 } }, admin)).data).toEqual({ assignDeviceTarget: { applied: true } });
    expect((await api.gql<Device>(STATUS, { c: 'PROV', n: 1 }, admin)).data?.device).toEqual({
      status: 'OFFLINE',
      intervalSeconds: 5,
      target: { name: 'greenhouse', latitude: 52.1, longitude: 4.3 },
    });
    // Announcing again (a restarted simulator) does not forget the target.
    const again = await publishEvents(jetstream(env.nc), env.names, [announce('PROV', 1)]);
    await api.projector.waitFor(again[0]!, 5000);
    expect((await api.gql<Device>(STATUS, { c: 'PROV', n: 1 }, admin)).data?.device.status).toBe('OFFLINE');
  });
});
