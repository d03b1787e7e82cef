/**
 * SQL injection over MQTT, in every field a device controls that api/src/mqtt.int.test.ts does
 * not already try (it covers the device code in the topic and in the payload): the sensor type
 * and device number in the topic, and the value, timestamp, seq, sensor type and device number
 * in the payload. Each message goes to the dead-letter stream with its reason and the original
 * bytes; none becomes a row, no table is touched, and a good reading sent after them is stored.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headers } from '../../schema/src/subjects.ts';
import { startApiStack, type ApiStack } from '../support/api.ts';
import { register, type Account } from '../support/accounts.ts';
import { createTestEnv, type TestEnv } from '../support/env.ts';
import { iso, T0 } from '../support/events.ts';
import { MqttNatsServer } from '../support/mqtt-nats.ts';
import { waitFor } from '../support/processes.ts';

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
  device = await mqtt.connectAsync(server.mqttUrl, { clientId: `attacker-${env.id}`, clean: true, reconnectPeriod: 0 });
});

afterAll(async () => {
  await device?.endAsync();
  await api?.stop();
  await env?.cleanup();
  await server?.destroy();
});

const topic = (sensorType: string, deviceCode: string, deviceNumber: string) => `${env.names.prefix}/reading/${sensorType}/${deviceCode}/${deviceNumber}`;
/** No spaces: MQTT topics carrying them cannot become NATS subjects. */
const DROP = "';DROP_TABLE_readings;--";
const DROP_SQL = "1'; DROP TABLE readings; --";

async function deadLetters(): Promise<{ reason: string; payload: string }[]> {
  const jsm = await jetstreamManager(env.nc);
  const { state } = await jsm.streams.info(env.names.deadLetterStream);
  const letters = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(env.names.deadLetterStream, { seq });
    if (m) letters.push({ reason: m.header.get(headers.deadLetterReason), payload: m.string() });
  }
  return letters;
}

describe('SQL injection over MQTT', () => {
  it('dead-letters injected topics and payload fields with their reasons, executing none, and stores the good reading after them', async () => {
    const good = JSON.stringify({ value: 55 });
    const bad: { to: string; payload: string; reason: RegExp }[] = [
      { to: topic(`humidity${DROP}`, 'MQI', '1'), payload: good, reason: /^unknown_sensor_type: data\.sensorType: sensorType must be one of/ },
      // Not a reading subject (the number is no number): the payload is read as a whole event, and is none.
      { to: topic('humidity', 'MQI', `1${DROP}`), payload: good, reason: /^unknown_type: type: / },
      { to: topic('humidity', 'MQI', '1'), payload: JSON.stringify({ value: DROP_SQL }), reason: /^value_out_of_range: data\.value: value must be a number/ },
      { to: topic('humidity', 'MQI', '1'), payload: JSON.stringify({ value: 50, timestamp: `2026-01-01T00:00:00Z${DROP_SQL}` }), reason: /^bad_timestamp: data\.timestamp: / },
      { to: topic('humidity', 'MQI', '1'), payload: JSON.stringify({ value: 50, seq: DROP_SQL }), reason: /^invalid_data: data\.seq: / },
      { to: topic('humidity', 'MQI', '1'), payload: JSON.stringify({ value: 50, sensorType: `humidity${DROP_SQL}` }), reason: /^unknown_sensor_type: data\.sensorType: / },
      { to: topic('humidity', 'MQI', '1'), payload: JSON.stringify({ value: 50, deviceNumber: DROP_SQL }), reason: /^bad_device_number: data\.deviceNumber: / },
    ];
    const before = await env.db.query<{ n: number }>('SELECT count(*)::int AS n FROM readings');
    for (const { to, payload } of bad) await device.publishAsync(to, payload, { qos: 1 });
    await device.publishAsync(topic('humidity', 'MQAFTER', '1'), JSON.stringify({ value: 61, timestamp: iso(T0) }), { qos: 1 });

    // The projector went past every bad message to the good one after them.
    await waitFor(async () => (await env.db.query("SELECT 1 FROM readings WHERE device_code = 'MQAFTER'")).rowCount === 1, 'the good reading', 15_000, 100);
    const letters = await deadLetters();
    expect(letters.map((l) => l.payload)).toEqual(bad.map((b) => b.payload));
    for (const [i, letter] of letters.entries()) expect(letter.reason, bad[i]!.payload).toMatch(bad[i]!.reason);

    const after = await env.db.query<{ total: number; injected: number }>(
      "SELECT count(*)::int AS total, count(*) FILTER (WHERE device_code LIKE '%''%' OR sensor_type LIKE '%''%')::int AS injected FROM readings",
    );
    expect(after.rows[0]).toEqual({ total: before.rows[0]!.n + 1, injected: 0 });
    const status = await api.gql<{ systemStatus: { deadLetters: number } }>('{ systemStatus { deadLetters } }', {}, admin.accessToken);
    expect(status.data?.systemStatus.deadLetters).toBe(bad.length);
  });
});
