import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { publishEvents, reading } from '../../../test/support/events.ts';
import { collectWs, wsClient } from '../../../test/support/live.ts';
import { waitFor } from '../../../test/support/processes.ts';

let env: TestEnv;
let api: ApiStack;
let token: string;
/** The API's clock: real time plus an offset the test moves forward. */
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env, {}, clock);
  token = (await api.gql<{ register: { accessToken: string } }>(`mutation { register(username: "admin", password: "password123") { accessToken } }`)).data!.register.accessToken;
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

const DEVICE = `query($code: String!, $number: Int!) { device(deviceCode: $code, deviceNumber: $number) {
  deviceCode deviceNumber status lostMessages readingCount sensorTypes latestReadings { sensorType value } } }`;

async function publish(events: Parameters<typeof publishEvents>[2]) {
  const seqs = await publishEvents(jetstream(env.nc), env.names, events);
  await api.projector.waitFor(seqs.at(-1)!, 5000);
}

describe('devices', () => {
  it('counts a dropped seq once, and not a late one', async () => {
    const now = Date.now();
    await publish([1, 2, 4].map((seq) => reading({ deviceCode: 'GAP', deviceNumber: 1, seq, value: seq, at: now + seq })));
    const gap = await api.gql<{ device: { lostMessages: number; readingCount: number } }>(DEVICE, { code: 'GAP', number: 1 }, token);
    expect(gap.data?.device).toMatchObject({ lostMessages: 1, readingCount: 3 });
    await publish([reading({ deviceCode: 'GAP', deviceNumber: 1, seq: 3, value: 3, at: now + 5 })]);
    const filled = await api.gql<{ device: { lostMessages: number; readingCount: number } }>(DEVICE, { code: 'GAP', number: 1 }, token);
    expect(filled.data?.device).toMatchObject({ lostMessages: 0, readingCount: 4 });
    await publish([reading({ deviceCode: 'GAP', deviceNumber: 1, sensorType: 'humidity', seq: 1, value: 50, at: now + 6 }), reading({ deviceCode: 'GAP', deviceNumber: 1, sensorType: 'humidity', seq: 7, value: 51, at: now + 7 })]);
    const perType = await api.gql<{ device: { lostMessages: number; sensorTypes: string[]; latestReadings: { sensorType: string; value: number }[] } }>(DEVICE, { code: 'GAP', number: 1 }, token);
    expect(perType.data?.device).toMatchObject({ lostMessages: 5, sensorTypes: ['humidity', 'temperature'] });
    expect(perType.data?.device.latestReadings).toEqual(expect.arrayContaining([{ sensorType: 'temperature', value: 3 }, { sensorType: 'humidity', value: 51 }]));
  });

  it('lists devices by status and code, page by page', async () => {
    await publish([
      reading({ deviceCode: 'LST', deviceNumber: 1, at: Date.now() }),
      reading({ deviceCode: 'LST', deviceNumber: 2, at: Date.now() }),
      reading({ deviceCode: 'LST', deviceNumber: 3, at: Date.now() - 60_000 }),
    ]);
    const query = `query($after: String, $status: DeviceStatus) { devices(filter: { deviceCode: "LST", status: $status }, first: 2, after: $after) {
      nodes { deviceNumber status } pageInfo { hasNextPage endCursor } } }`;
    type Page = { devices: { nodes: { deviceNumber: number; status: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } };
    const first = await api.gql<Page>(query, {}, token);
    expect(first.data?.devices.nodes).toEqual([{ deviceNumber: 1, status: 'ONLINE' }, { deviceNumber: 2, status: 'ONLINE' }]);
    const second = await api.gql<Page>(query, { after: first.data!.devices.pageInfo.endCursor }, token);
    expect(second.data?.devices).toMatchObject({ nodes: [{ deviceNumber: 3, status: 'OFFLINE' }], pageInfo: { hasNextPage: false } });
    const offline = await api.gql<Page>(query, { status: 'OFFLINE' }, token);
    expect(offline.data?.devices.nodes.map((d) => d.deviceNumber)).toEqual([3]);
  });

  it('reports status transitions live, offline ones driven by time alone', async () => {
    const client = wsClient(api.url, token);
    const changes = collectWs<{ deviceStatusChanged: { status: string; previousStatus: string | null; device: { deviceNumber: number } } }>(
      client,
      `subscription { deviceStatusChanged(deviceCode: "STS") { status previousStatus device { deviceNumber } } }`,
    );
    await new Promise((r) => setTimeout(r, 1500));
    await publish([reading({ deviceCode: 'STS', deviceNumber: 1, at: clock() })]);
    await waitFor(() => changes.items.length === 1, 'the device coming online', 5000);
    expect(changes.items[0]!.deviceStatusChanged).toEqual({ status: 'ONLINE', previousStatus: null, device: { deviceNumber: 1 } });

    offsetMs += 16_000; // three 5 s intervals and a bit: no new event arrives
    await waitFor(() => changes.items.length === 2, 'the device going offline', 5000);
    expect(changes.items[1]!.deviceStatusChanged).toEqual({ status: 'OFFLINE', previousStatus: 'ONLINE', device: { deviceNumber: 1 } });

    await publish([reading({ deviceCode: 'STS', deviceNumber: 1, at: clock() })]);
    await waitFor(() => changes.items.length === 3, 'the device back online', 5000);
    expect(changes.items[2]!.deviceStatusChanged).toMatchObject({ status: 'ONLINE', previousStatus: 'OFFLINE' });
    await client.dispose();
  });
});
