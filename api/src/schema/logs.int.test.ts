/**
 * Device logs through the API: deviceLogs pages read from the log stream, setDeviceLogLevel
 * obeyed by a simulator (lines below the level stop being kept), the stream's max age as the
 * log TTL, who may do what, and deviceLogged live and resumed.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogLinePayload } from '../../../schema/src/logs.ts';
import { createApiKey, errorCode, login, PASSWORD, register, type Account } from '../../../test/support/accounts.ts';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { publishEvents, reading } from '../../../test/support/events.ts';
import { collectWs, wsClient } from '../../../test/support/live.ts';
import { publishLogLines } from '../../../test/support/logs.ts';
import { waitFor } from '../../../test/support/processes.ts';
import { followDeviceEvents, type DeviceEventFollower } from '../../../simulator/src/device-events.ts';
import { createFleet, deviceCodeOf } from '../../../simulator/src/fleet.ts';
import { createRng } from '../../../simulator/src/random.ts';
import { buildSimulator, type Simulator } from '../../../simulator/src/simulator.ts';

interface Line {
  sequence: string;
  deviceCode: string;
  deviceNumber: number;
  level: string;
  message: string;
  occurredAt: string;
  receivedAt: string;
  source: string | null;
  fields: { name: string; value: string }[];
}
interface Page {
  deviceLogs: { nodes: Line[]; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null } };
}

const LINE_FIELDS = 'sequence deviceCode deviceNumber level message occurredAt receivedAt source fields { name value }';
const DEVICE_LOGS = `query ($device: DeviceRefInput!, $minLevel: LogLevel, $from: DateTime, $to: DateTime, $first: Int, $after: String, $last: Int, $before: String) {
  deviceLogs(device: $device, minLevel: $minLevel, from: $from, to: $to, first: $first, after: $after, last: $last, before: $before) {
    nodes { ${LINE_FIELDS} } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
const SET_LEVEL = 'mutation ($c: String!, $n: Int!, $level: LogLevel!) { setDeviceLogLevel(deviceCode: $c, deviceNumber: $n, level: $level) { applied } }';
const DEVICE_LEVEL = 'query ($c: String!, $n: Int!) { device(deviceCode: $c, deviceNumber: $n) { logLevel } }';

let env: TestEnv;
let api: ApiStack;
let admin: Account;
let user: Account;

const T = Date.parse('2026-11-22T10:00:00Z');
const at = (minutes: number) => new Date(T + minutes * 60_000).toISOString();

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env, { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: PASSWORD });
  admin = await login(api.gql, 'root');
  user = await register(api.gql, 'reader');
});
afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

const page = async (variables: Record<string, unknown>, token = user.accessToken) => {
  const response = await api.gql<Page>(DEVICE_LOGS, variables, token);
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.deviceLogs;
};
const messages = (lines: Line[]) => lines.map((l) => l.message);

describe('deviceLogs', () => {
  const device = { deviceCode: 'LOGS', deviceNumber: 1 };
  const lines: LogLinePayload[] = [
    { level: 'debug', message: 'd0', occurredAt: at(0) },
    { level: 'info', message: 'i1', occurredAt: at(1), fields: { battery: 87, ok: true, note: 'fine', none: null } },
    { level: 'warning', message: 'w2', occurredAt: at(2) },
    { level: 'error', message: 'e3', occurredAt: at(3) },
    { level: 'critical', message: 'c4', occurredAt: at(4) },
    { level: 'info', message: 'i5', occurredAt: at(5) },
    { level: 'error', message: 'e6', occurredAt: at(6) },
  ];
  let sequences: number[];

  beforeAll(async () => {
    // Three batches stored apart, so that from/to (on when the stream stored them) can tell them apart.
    sequences = [];
    for (const batch of [lines.slice(0, 2), lines.slice(2, 5), lines.slice(5)]) {
      sequences.push(...(await publishLogLines(env.nc, env.names, device.deviceCode, device.deviceNumber, batch)));
      await sleep(20);
    }
    // Another device's lines and a line that is not a log line at all are not this device's.
    await publishLogLines(env.nc, env.names, 'LOGS', 2, [{ level: 'critical', message: 'other device' }]);
    await jetstream(env.nc).publish(`${env.names.prefix}.log.LOGS.1`, '{"level": "loud", "message": "bad level"}');
  });

  it('shows a device’s lines oldest first, each with its level, times, source and fields', async () => {
    const { nodes, pageInfo } = await page({ device });
    expect(messages(nodes)).toEqual(['d0', 'i1', 'w2', 'e3', 'c4', 'i5', 'e6']);
    expect(nodes[1]).toEqual({
      sequence: String(sequences[1]),
      deviceCode: 'LOGS',
      deviceNumber: 1,
      level: 'INFO',
      message: 'i1',
      occurredAt: at(1),
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      source: null,
      fields: [
        { name: 'battery', value: '87' },
        { name: 'ok', value: 'true' },
        { name: 'note', value: '"fine"' },
        { name: 'none', value: 'null' },
      ],
    });
    expect(pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false, startCursor: String(sequences[0]), endCursor: String(sequences[6]) });
  });

  it('keeps to lines at minLevel or above, stored from `from` to `to`', async () => {
    expect(messages((await page({ device, minLevel: 'ERROR' })).nodes)).toEqual(['e3', 'c4', 'e6']);
    const stored = (await page({ device })).nodes.map((l) => l.receivedAt);
    expect(messages((await page({ device, minLevel: 'WARNING', from: stored[2], to: stored[4] })).nodes)).toEqual(['w2', 'e3', 'c4']);
    expect(messages((await page({ device, minLevel: 'INFO', to: stored[4] })).nodes)).toEqual(['i1', 'w2', 'e3', 'c4']);
    expect(messages((await page({ device, from: stored[5] })).nodes)).toEqual(['i5', 'e6']);
    expect(messages((await page({ device, to: stored[1] })).nodes)).toEqual(['d0', 'i1']);
  });

  it('pages forward with first/after and back from the newest with last/before', async () => {
    const first = await page({ device, minLevel: 'INFO', first: 2 });
    expect(messages(first.nodes)).toEqual(['i1', 'w2']);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await page({ device, minLevel: 'INFO', first: 2, after: first.pageInfo.endCursor });
    expect(messages(second.nodes)).toEqual(['e3', 'c4']);
    const third = await page({ device, minLevel: 'INFO', first: 2, after: second.pageInfo.endCursor });
    expect(messages(third.nodes)).toEqual(['i5', 'e6']);
    expect(third.pageInfo.hasNextPage).toBe(false);

    const newest = await page({ device, last: 3 });
    expect(messages(newest.nodes)).toEqual(['c4', 'i5', 'e6']);
    expect(newest.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    const before = await page({ device, last: 3, before: newest.pageInfo.startCursor });
    expect(messages(before.nodes)).toEqual(['i1', 'w2', 'e3']);
    expect(before.pageInfo.hasPreviousPage).toBe(true);
    expect(messages((await page({ device, last: 3, before: before.pageInfo.startCursor })).nodes)).toEqual(['d0']);
    expect(messages((await page({ device, last: 10, before: newest.pageInfo.startCursor, minLevel: 'ERROR' })).nodes)).toEqual(['e3']);
  });

  it('answers an empty page for a device that logged nothing', async () => {
    expect(await page({ device: { deviceCode: 'SILENT', deviceNumber: 9 } })).toEqual({
      nodes: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
  });

  it('refuses bad arguments with the reason and the field', async () => {
    const refusal = async (variables: Record<string, unknown>) => {
      const response = await api.gql(DEVICE_LOGS, { device, ...variables }, user.accessToken);
      return [errorCode(response), response.errors?.[0]?.message, response.errors?.[0]?.extensions?.field];
    };
    expect(await refusal({ first: 0 })).toEqual(['BAD_USER_INPUT', 'first must be between 1 and 1000', 'first']);
    expect(await refusal({ after: 'abc' })).toEqual(['BAD_USER_INPUT', 'after must be a cursor from deviceLogs (a stream sequence)', 'after']);
    expect(await refusal({ first: 1, last: 1 })).toEqual(['BAD_USER_INPUT', 'page with first/after or with last/before, not both', 'last']);
    expect(await refusal({ from: at(5), to: at(1) })).toEqual(['BAD_USER_INPUT', 'from must not be after to', 'from']);
    expect(await refusal({ device: { deviceCode: 'lower', deviceNumber: 1 } })).toEqual(['BAD_USER_INPUT', 'deviceCode must be 1–20 capital letters A–Z', 'deviceCode']);
  });
});

describe('setDeviceLogLevel', () => {
  const SEED = 33;
  const DEVICES = 8;
  const fleet = createFleet('humidity', DEVICES, createRng(SEED));
  const devices = Array.from({ length: DEVICES }, (_, i) => ({ deviceCode: deviceCodeOf(fleet, i), deviceNumber: fleet.numbers[i]! }));
  /** Told ERROR: at the default INFO they would log a few info lines a second between them. */
  const quiet = devices.slice(0, 4);
  const chatty = devices[4]!;
  const others = devices.slice(5);
  let simulator: Simulator;
  let follower: DeviceEventFollower;

  beforeAll(async () => {
    simulator = buildSimulator(
      { simulatorId: 'sim-humidity-api-logs', sensorType: 'humidity', devices: DEVICES, intervalMs: 20, subjectPrefix: env.names.prefix, maxInFlight: 256, maxQueued: 10_000, ackTimeoutMs: 5000, tickMs: 10 },
      { nc: env.nc, clock: Date.now, rng: createRng(SEED) },
    );
    follower = await followDeviceEvents(env.nc, simulator, { stream: env.names.stream, subjectPrefix: env.names.prefix, logger: pino({ level: 'silent' }) });
    simulator.start();
  });
  afterAll(async () => {
    await follower?.stop();
    await simulator?.stop(5000);
  });

  /** Every line of the device stored since `from`, a page at a time. */
  async function logsOf(device: { deviceCode: string; deviceNumber: number }, from: string): Promise<Line[]> {
    const lines: Line[] = [];
    for (let after: string | null = null; ; ) {
      const { nodes, pageInfo } = await page({ device, from, first: 100, after });
      lines.push(...nodes);
      if (!pageInfo.hasNextPage) return lines;
      after = pageInfo.endCursor;
    }
  }

  it('changes the device’s level at once in the read model, and the simulator keeps nothing below it from then on', async () => {
    for (const d of devices) await waitFor(async () => (await api.gql<{ device: unknown }>(DEVICE_LEVEL, { c: d.deviceCode, n: d.deviceNumber }, user.accessToken)).data?.device, 'the devices in the read model');
    expect((await api.gql(DEVICE_LEVEL, { c: quiet[0]!.deviceCode, n: quiet[0]!.deviceNumber }, user.accessToken)).data).toEqual({ device: { logLevel: 'INFO' } });
    for (const device of quiet) {
      expect((await api.gql(SET_LEVEL, { c: device.deviceCode, n: device.deviceNumber, level: 'ERROR' }, admin.accessToken)).data).toEqual({ setDeviceLogLevel: { applied: true } });
      // Read-your-writes: the answer came once the projector had applied it.
      expect((await api.gql(DEVICE_LEVEL, { c: device.deviceCode, n: device.deviceNumber }, user.accessToken)).data).toEqual({ device: { logLevel: 'ERROR' } });
    }
    await api.gql(SET_LEVEL, { c: chatty.deviceCode, n: chatty.deviceNumber, level: 'DEBUG' }, admin.accessToken);
    // Commands reach the simulator in order: the chatty device's first debug line means all of them apply from here on.
    const since = new Date().toISOString();
    const firstDebug = await waitFor(async () => (await logsOf(chatty, since)).find((l) => l.level === 'DEBUG'), 'a debug line of the chatty device', 10_000, 100);
    await sleep(3000);

    const after = async (device: { deviceCode: string; deviceNumber: number }) => (await logsOf(device, since)).filter((l) => Number(l.sequence) > Number(firstDebug.sequence));
    const rest = (await Promise.all(others.map(after))).flat();
    expect(rest.filter((l) => l.level === 'INFO').length).toBeGreaterThan(3);
    expect(rest.filter((l) => l.level === 'DEBUG')).toEqual([]);
    const quietLines = (await Promise.all(quiet.map(after))).flat();
    expect(quietLines.filter((l) => l.level !== 'ERROR' && l.level !== 'CRITICAL')).toEqual([]);
    expect((await after(chatty)).filter((l) => l.level === 'DEBUG').length).toBeGreaterThan(20);
    expect(new Set(rest.map((l) => l.source))).toEqual(new Set(['sim-humidity-api-logs']));
  });

  it('is also sendDeviceCommand SET_LOG_LEVEL, which needs its logLevel', async () => {
    const device = others[0]!;
    const send = (variables: Record<string, unknown>) =>
      api.gql('mutation ($c: String!, $n: Int!, $l: LogLevel, $s: Int) { sendDeviceCommand(deviceCode: $c, deviceNumber: $n, command: SET_LOG_LEVEL, logLevel: $l, intervalSeconds: $s) { applied } }', { c: device.deviceCode, n: device.deviceNumber, ...variables }, admin.accessToken);
    expect((await send({ l: 'WARNING' })).data).toEqual({ sendDeviceCommand: { applied: true } });
    expect((await api.gql(DEVICE_LEVEL, { c: device.deviceCode, n: device.deviceNumber }, user.accessToken)).data).toEqual({ device: { logLevel: 'WARNING' } });
    const missing = await send({});
    expect([errorCode(missing), missing.errors?.[0]?.message]).toEqual(['BAD_USER_INPUT', 'logLevel is required for SET_LOG_LEVEL']);
    const stray = await send({ l: 'INFO', s: 10 });
    expect([errorCode(stray), stray.errors?.[0]?.message]).toEqual(['BAD_USER_INPUT', 'intervalSeconds goes only with SET_INTERVAL, not SET_LOG_LEVEL']);
  });

  it('is for admins: a user is refused, and so is a level for a device never seen', async () => {
    const refused = await api.gql(SET_LEVEL, { c: chatty.deviceCode, n: chatty.deviceNumber, level: 'ERROR' }, user.accessToken);
    expect([errorCode(refused), refused.errors?.[0]?.message]).toEqual(['FORBIDDEN', 'the user role may not control devices']);
    const unknown = await api.gql(SET_LEVEL, { c: 'NEVER', n: 1, level: 'ERROR' }, admin.accessToken);
    expect([errorCode(unknown), unknown.errors?.[0]?.message]).toEqual(['NOT_FOUND', 'no device NEVER-1 has been seen']);
  });
});

describe('who may read device logs', () => {
  it('lets users and admins read and follow them, and refuses device keys and anonymous callers', async () => {
    const deviceKey = (await createApiKey(api.gql, admin.accessToken, 'DEVICE', 'gateway')).key;
    const query = '{ deviceLogs(device: { deviceCode: "LOGS", deviceNumber: 2 }) { nodes { message } } }';
    for (const token of [user.accessToken, admin.accessToken]) expect((await api.gql(query, {}, token)).data).toEqual({ deviceLogs: { nodes: [{ message: 'other device' }] } });
    const byDevice = await api.gql(query, {}, deviceKey);
    expect([errorCode(byDevice), byDevice.errors?.[0]?.message]).toEqual(['FORBIDDEN', 'the device role may not read device logs']);
    expect(errorCode(await api.gql(query, {}))).toBe('UNAUTHENTICATED');

    const client = wsClient(api.url, deviceKey);
    const feed = collectWs(client, 'subscription { deviceLogged { message } }');
    await feed.done;
    expect(feed.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN' }) })]);
    await client.dispose();
  });
});

describe('deviceLogged', () => {
  type Logged = { deviceLogged: { sequence: string; deviceCode: string; deviceNumber: number; level: string; message: string } };
  const SUBSCRIPTION = 'subscription ($filter: DeviceLogFilter, $after: String) { deviceLogged(filter: $filter, afterSequence: $after) { sequence deviceCode deviceNumber level message } }';

  it('delivers matching lines as they are stored, and resumes after a sequence with no gap and no duplicate', async () => {
    const client = wsClient(api.url, user.accessToken);
    const live = collectWs<Logged>(client, SUBSCRIPTION, { filter: { deviceCode: 'LIVE', minLevel: 'WARNING' } });
    const everything = collectWs<Logged>(client, SUBSCRIPTION, { filter: { deviceNumber: 2 } });
    // The shared consumer starts with the first subscriber; give it a moment to exist.
    await sleep(1000);
    await publishLogLines(env.nc, env.names, 'LIVE', 1, [
      { level: 'info', message: 'live info' },
      { level: 'warning', message: 'live warning' },
    ]);
    await publishLogLines(env.nc, env.names, 'LIVE', 2, [{ level: 'error', message: 'live error' }]);
    await publishLogLines(env.nc, env.names, 'ELSEWHERE', 1, [{ level: 'critical', message: 'elsewhere' }]);
    await waitFor(() => live.items.length === 2 && everything.items.length === 1, 'the matching lines', 10_000);
    await sleep(300);
    expect(live.items.map((i) => [i.deviceLogged.deviceNumber, i.deviceLogged.level, i.deviceLogged.message])).toEqual([
      [1, 'WARNING', 'live warning'],
      [2, 'ERROR', 'live error'],
    ]);
    expect(everything.items.map((i) => i.deviceLogged.message)).toEqual(['live error']);
    expect(live.errors).toEqual([]);
    live.stop();
    everything.stop();

    // Resuming after the first line it got: the one it had not seen yet comes back from the stream, then live ones.
    const resumed = collectWs<Logged>(client, SUBSCRIPTION, { filter: { deviceCode: 'LIVE' }, after: live.items[0]!.deviceLogged.sequence });
    await waitFor(() => resumed.items.length === 1, 'the line stored after that sequence', 10_000);
    await publishLogLines(env.nc, env.names, 'LIVE', 1, [{ level: 'debug', message: 'live debug' }]);
    await waitFor(() => resumed.items.length === 2, 'the next live line', 10_000);
    await sleep(300);
    expect(resumed.items.map((i) => i.deviceLogged.message)).toEqual(['live error', 'live debug']);
    resumed.stop();
    await client.dispose();
  });

  it('lets go of a subscriber that leaves at once, however quiet its filter', async () => {
    const client = wsClient(api.url, user.accessToken);
    const quiet = collectWs<Logged>(client, SUBSCRIPTION, { filter: { deviceCode: 'NOBODY' } });
    const lines = api.app.services.logFeed.lines;
    await waitFor(() => lines.subscriberCount === 1, 'the subscriber filed', 5000);
    quiet.stop();
    await waitFor(() => lines.subscriberCount === 0, 'the subscriber gone without a line arriving', 5000);
    expect(api.app.services.live.activeSubscriptions).toBe(0);
    await client.dispose();
  });

  it('refuses a bad filter or sequence with the reason', async () => {
    const client = wsClient(api.url, user.accessToken);
    const badCode = collectWs(client, SUBSCRIPTION, { filter: { deviceCode: 'lower' } });
    const badSequence = collectWs(client, SUBSCRIPTION, { after: 'yesterday' });
    await Promise.all([badCode.done, badSequence.done]);
    expect(badCode.errors).toEqual([expect.objectContaining({ message: 'deviceCode must be 1–20 capital letters A–Z' })]);
    expect(badSequence.errors).toEqual([expect.objectContaining({ message: 'afterSequence must be a cursor from deviceLogs (a stream sequence)' })]);
    await client.dispose();
  });
});

describe('log retention', () => {
  let shortEnv: TestEnv;
  let shortApi: ApiStack;

  beforeAll(async () => {
    shortEnv = await createTestEnv();
    // The API applies DEVICE_LOG_RETENTION to the log stream at start, as every service does.
    shortApi = await startApiStack(shortEnv, { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: PASSWORD, DEVICE_LOG_RETENTION: '2s' });
  });
  afterAll(async () => {
    await shortApi?.stop();
    await shortEnv?.cleanup();
  });

  it('drops lines older than DEVICE_LOG_RETENTION: the log stream’s max age, with no cleanup job', async () => {
    const info = await (await jetstreamManager(shortEnv.nc)).streams.info(shortEnv.names.logStream);
    expect(info.config.max_age).toBe(2_000_000_000);
    // The domain stream keeps everything.
    expect((await (await jetstreamManager(shortEnv.nc)).streams.info(shortEnv.names.stream)).config.max_age).toBe(0);

    const token = (await login(shortApi.gql, 'root')).accessToken;
    const query = '{ deviceLogs(device: { deviceCode: "OLD", deviceNumber: 1 }) { nodes { message } } }';
    const seqs = await publishEvents(jetstream(shortEnv.nc), shortEnv.names, [reading({ deviceCode: 'OLD', at: Date.now() })]);
    await publishLogLines(shortEnv.nc, shortEnv.names, 'OLD', 1, [{ level: 'error', message: 'soon gone' }]);
    expect((await shortApi.gql(query, {}, token)).data).toEqual({ deviceLogs: { nodes: [{ message: 'soon gone' }] } });
    await publishLogLines(shortEnv.nc, shortEnv.names, 'OLD', 1, [{ level: 'error', message: 'also soon gone' }]);

    await waitFor(async () => (await shortApi.gql<{ deviceLogs: { nodes: unknown[] } }>(query, {}, token)).data?.deviceLogs.nodes.length === 0, 'the lines to expire', 15_000, 250);
    expect((await (await jetstreamManager(shortEnv.nc)).streams.info(shortEnv.names.logStream)).state.messages).toBe(0);
    // The reading published with them is still there.
    await shortApi.projector.waitFor(seqs[0]!, 5000);
    expect((await shortApi.gql('{ readings(filter: { deviceCode: "OLD" }) { totalCount } }', {}, token)).data).toEqual({ readings: { totalCount: 1 } });
  });
});
