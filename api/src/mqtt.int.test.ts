/**
 * MQTT ingest (SPEC §9): a device publishes to `<prefix>/reading/<type>/<code>/<number>` on
 * nats-server's built-in MQTT, which is the subject `<prefix>.reading.<type>.<code>.<number>`,
 * so the reading lands in the stream and the projector treats it like any other: a valid
 * one becomes queryable through GraphQL, an invalid one goes to the dead-letter stream with
 * its reason and the projector carries on.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headers, subjects } from '../../schema/src/subjects.ts';
import { register, type Account } from '../../test/support/accounts.ts';
import { startApiStack, type ApiStack } from '../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { iso, reading, T0 } from '../../test/support/events.ts';
import { MqttNatsServer } from '../../test/support/mqtt-nats.ts';
import { waitFor } from '../../test/support/processes.ts';

let server: MqttNatsServer;
let env: TestEnv;
let api: ApiStack;
let admin: Account;
let device: MqttClient;

beforeAll(async () => {
  server = await MqttNatsServer.start();
  env = await createTestEnv({ natsUrl: server.url });
  api = await startApiStack(env);
  admin = await register(api.gql, 'root');
  device = await mqtt.connectAsync(server.mqttUrl, { clientId: `device-${env.id}`, clean: true, reconnectPeriod: 0 });
});

afterAll(async () => {
  await device?.endAsync();
  await api?.stop();
  await env?.cleanup();
  await server?.destroy();
});

const topic = (sensorType: string, deviceCode: string, deviceNumber: number) => `${env.names.prefix}/reading/${sensorType}/${deviceCode}/${deviceNumber}`;

/** Publishes at QoS 1: resolves once the server has acknowledged the message (PUBACK). */
async function publish(to: string, payload: string): Promise<void> {
  await device.publishAsync(to, payload, { qos: 1 });
}

interface Node {
  sensorType: string;
  value: number;
  deviceCode: string;
  deviceNumber: number;
  timestamp: string;
  seq: number | null;
}

async function readingsOf(deviceCode: string): Promise<Node[]> {
  const response = await api.gql<{ readings: { nodes: Node[] } }>(
    'query ($f: ReadingFilter) { readings(filter: $f, order: OLDEST_FIRST) { nodes { sensorType value deviceCode deviceNumber timestamp seq } } }',
    { f: { deviceCode } },
    admin.accessToken,
  );
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.readings.nodes;
}

const queryable = (deviceCode: string, count: number) =>
  waitFor(
    async () => {
      const nodes = await readingsOf(deviceCode);
      return nodes.length >= count ? nodes : undefined;
    },
    `${count} readings of ${deviceCode} through GraphQL`,
    15_000,
    100,
  );

async function deadLetters(): Promise<Array<{ subject: string; reason: string; from: string; payload: string }>> {
  const jsm = await jetstreamManager(env.nc);
  const { state } = await jsm.streams.info(env.names.deadLetterStream);
  const letters = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const m = await jsm.streams.getMessage(env.names.deadLetterStream, { seq });
    if (m) letters.push({ subject: m.subject, reason: m.header.get(headers.deadLetterReason), from: m.header.get(headers.deadLetterSubject), payload: m.string() });
  }
  return letters;
}

describe('MQTT ingest through nats-server', () => {
  it('stores a bare reading published at QoS 1, taking type and device from the topic, and serves it through GraphQL', async () => {
    await publish(topic('humidity', 'MQ', 7), JSON.stringify({ value: 55.5, timestamp: iso(T0), seq: 7 }));
    expect(await queryable('MQ', 1)).toEqual([{ sensorType: 'humidity', value: 55.5, deviceCode: 'MQ', deviceNumber: 7, timestamp: iso(T0).replace('.000Z', 'Z'), seq: 7 }]);
  });

  it('stores a full ReadingRecorded event published over MQTT', async () => {
    const event = reading({ sensorType: 'co2', value: 812, deviceCode: 'MQEVENT', deviceNumber: 3, seq: 1 });
    await publish(topic('co2', 'MQEVENT', 3), JSON.stringify(event));
    expect(await queryable('MQEVENT', 1)).toEqual([{ sensorType: 'co2', value: 812, deviceCode: 'MQEVENT', deviceNumber: 3, timestamp: iso(T0).replace('.000Z', 'Z'), seq: 1 }]);
  });

  it('sends invalid and SQL-injection-looking readings to the dead-letter stream with their reasons, executes none, and carries on', async () => {
    const { totalBefore } = await env.db.query<{ totalBefore: number }>('SELECT count(*)::int AS "totalBefore" FROM readings').then((r) => r.rows[0]!);
    const injectedCode = "A';DROP_TABLE_readings;--";
    const bad = [
      { to: topic('humidity', 'MQBAD', 1), payload: JSON.stringify({ value: 120, timestamp: iso(T0) }), reason: /^value_out_of_range: value 120 is out of range for humidity/ },
      { to: topic('humidity', 'MQBAD', 1), payload: '{"value": 4', reason: /^malformed_json: / },
      { to: topic('humidity', injectedCode, 1), payload: JSON.stringify({ value: 50 }), reason: /^bad_device_code: data\.deviceCode: deviceCode must be 1–20 capital letters A–Z/ },
      {
        to: topic('humidity', 'MQBAD', 1),
        payload: JSON.stringify({ value: 50, deviceCode: "A'; DROP TABLE readings; --" }),
        reason: /^bad_device_code: data\.deviceCode: deviceCode must be 1–20 capital letters A–Z/,
      },
    ];
    for (const { to, payload } of bad) await publish(to, payload);
    await publish(topic('humidity', 'MQAFTER', 1), JSON.stringify({ value: 61 }));

    // The projector went past every bad one to the good one after them.
    expect((await queryable('MQAFTER', 1)).map((r) => r.value)).toEqual([61]);
    const letters = await deadLetters();
    expect(letters).toHaveLength(bad.length);
    for (const [i, letter] of letters.entries()) {
      const expected = bad[i]!;
      expect(letter.reason).toMatch(expected.reason);
      expect(letter.subject).toBe(subjects.deadLetter(env.names.prefix, expected.reason.source.slice(1).split(':')[0]!));
      expect(letter.from).toBe(expected.to.replaceAll('/', '.'));
      expect(letter.payload).toBe(expected.payload);
    }

    const status = await api.gql<{ systemStatus: { deadLetters: number } }>('{ systemStatus { deadLetters } }', {}, admin.accessToken);
    expect(status.data?.systemStatus.deadLetters).toBe(bad.length);
    const after = await env.db.query<{ total: number; injected: number }>(
      "SELECT count(*)::int AS total, count(*) FILTER (WHERE device_code LIKE '%''%')::int AS injected FROM readings",
    );
    expect(after.rows[0]).toEqual({ total: totalBefore + 1, injected: 0 });
    expect(await readingsOf('MQBAD')).toEqual([]);
  });
});

describe('device logs over MQTT', () => {
  it('stores a log line published to <prefix>/log/<code>/<number>, and delivers the device its SET_LOG_LEVEL on its command topic', async () => {
    await publish(topic('humidity', 'MQLOG', 4), JSON.stringify({ value: 40 }));
    await queryable('MQLOG', 1);
    const commands: unknown[] = [];
    device.on('message', (to, payload) => {
      if (to === `${env.names.prefix}/device/command/MQLOG/4`) commands.push(JSON.parse(payload.toString()));
    });
    await device.subscribeAsync(`${env.names.prefix}/device/command/MQLOG/4`, { qos: 1 });

    await publish(`${env.names.prefix}/log/MQLOG/4`, JSON.stringify({ level: 'error', message: 'fan stalled', fields: { rpm: 0 } }));
    const logs = await waitFor(async () => {
      const response = await api.gql<{ deviceLogs: { nodes: unknown[] } }>('{ deviceLogs(device: { deviceCode: "MQLOG", deviceNumber: 4 }) { nodes { level message fields { name value } } } }', {}, admin.accessToken);
      return response.data?.deviceLogs.nodes.length ? response.data.deviceLogs.nodes : undefined;
    }, 'the log line through GraphQL', 10_000, 100);
    expect(logs).toEqual([{ level: 'ERROR', message: 'fan stalled', fields: [{ name: 'rpm', value: '0' }] }]);

    const set = await api.gql('mutation { setDeviceLogLevel(deviceCode: "MQLOG", deviceNumber: 4, level: WARNING) { applied } }', {}, admin.accessToken);
    expect(set.data).toEqual({ setDeviceLogLevel: { applied: true } });
    await waitFor(() => commands.length === 1, 'the command on the device’s topic', 10_000);
    expect(commands[0]).toMatchObject({ type: 'DeviceCommandIssued', data: { deviceCode: 'MQLOG', deviceNumber: 4, command: 'SET_LOG_LEVEL', logLevel: 'warning' } });
  });
});
