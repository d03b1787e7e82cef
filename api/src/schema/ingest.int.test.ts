/**
 * recordReadings: batch ingest over HTTP for DEVICE API keys and admins. A valid batch is in
 * the stream when the mutation answers and in the read model once projected; one bad reading
 * refuses the whole batch before anything is published; a retried batchId is stored once.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headers } from '../../../schema/src/subjects.ts';
import { createApiKey, errorCode, register, type Account } from '../../../test/support/accounts.ts';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { iso, T0 } from '../../../test/support/events.ts';

let env: TestEnv;
let api: ApiStack;
let admin: Account;
let user: Account;
let deviceKey: string;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env);
  admin = await register(api.gql, 'root');
  user = await register(api.gql, 'alice');
  deviceKey = (await createApiKey(api.gql, admin.accessToken, 'DEVICE', 'greenhouse gateway')).key;
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

interface ReadingIn {
  sensorType: string;
  value: number;
  deviceCode: string;
  deviceNumber: number;
  timestamp: string;
  seq?: number;
}
interface RecordResult {
  accepted: number;
  duplicates: number;
  firstSequence: string | null;
  lastSequence: string | null;
}

const RECORD = `mutation ($readings: [ReadingInput!]!, $batchId: String) {
  recordReadings(readings: $readings, batchId: $batchId) { accepted duplicates firstSequence lastSequence }
}`;

const record = (readings: unknown[], token: string, batchId?: string) => api.gql<{ recordReadings: RecordResult }>(RECORD, { readings, batchId: batchId ?? null }, token);

function recorded(response: Awaited<ReturnType<typeof record>>): RecordResult {
  if (!response.data) throw new Error(`recordReadings failed: ${JSON.stringify(response.errors)}`);
  return response.data.recordReadings;
}

const humidity = (deviceCode: string, i: number): ReadingIn => ({
  sensorType: 'humidity',
  value: 40 + (i % 50),
  deviceCode,
  deviceNumber: 1 + (i % 3),
  timestamp: iso(T0 + i * 1000),
  seq: i + 1,
});

const batch = (deviceCode: string, size: number) => Array.from({ length: size }, (_, i) => humidity(deviceCode, i));

async function streamMessages(): Promise<number> {
  const jsm = await jetstreamManager(env.nc);
  return (await jsm.streams.info(env.names.stream)).state.messages;
}

async function readingsOf(deviceCode: string) {
  const response = await api.gql<{ readings: { totalCount: number; nodes: Array<ReadingIn & { sequence: string }> } }>(
    'query ($f: ReadingFilter) { readings(filter: $f, order: OLDEST_FIRST, first: 100) { totalCount nodes { sequence sensorType value deviceCode deviceNumber timestamp seq } } }',
    { f: { deviceCode } },
    admin.accessToken,
  );
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.readings;
}

describe('recordReadings', () => {
  it('records a batch sent with a DEVICE API key, answering with the stream sequences, and the readings become queryable once projected', async () => {
    const readings = [
      { sensorType: 'temperature', value: -12.5, deviceCode: 'DEV', deviceNumber: 7, timestamp: '2026-01-01T01:00:00+01:00', seq: 1 },
      { sensorType: 'humidity', value: 0, deviceCode: 'DEV', deviceNumber: 7, timestamp: '2026-01-01T00:00:01Z', seq: 1 },
      { sensorType: 'pressure', value: 1013.25, deviceCode: 'DEV', deviceNumber: 2147483647, timestamp: '2026-01-01T00:00:02Z' },
    ];
    const result = recorded(await record(readings, deviceKey));
    expect(result).toMatchObject({ accepted: 3, duplicates: 0 });
    expect(Number(result.lastSequence) - Number(result.firstSequence)).toBe(2);

    await api.projector.waitFor(Number(result.lastSequence), 10_000);
    const stored = await readingsOf('DEV');
    expect(stored.totalCount).toBe(3);
    expect(stored.nodes).toEqual([
      { sequence: result.firstSequence, sensorType: 'temperature', value: -12.5, deviceCode: 'DEV', deviceNumber: 7, timestamp: '2026-01-01T00:00:00Z', seq: 1 },
      { sequence: String(Number(result.firstSequence) + 1), sensorType: 'humidity', value: 0, deviceCode: 'DEV', deviceNumber: 7, timestamp: '2026-01-01T00:00:01Z', seq: 1 },
      { sequence: result.lastSequence, sensorType: 'pressure', value: 1013.25, deviceCode: 'DEV', deviceNumber: 2147483647, timestamp: '2026-01-01T00:00:02Z', seq: null },
    ]);

    // An auditor sees who sent them: the key's owner.
    const jsm = await jetstreamManager(env.nc);
    const event = await jsm.streams.getMessage(env.names.stream, { seq: Number(result.firstSequence) });
    expect(event?.subject).toBe(`${env.names.prefix}.reading.temperature.DEV.7`);
    expect(event?.header.get(headers.actor)).toBe('root');
    expect(event?.header.get(headers.eventType)).toBe('ReadingRecorded');
  });

  it('lets an admin record readings with an access token', async () => {
    const result = recorded(await record(batch('ADM', 2), admin.accessToken));
    expect(result).toMatchObject({ accepted: 2, duplicates: 0 });
    await api.projector.waitFor(Number(result.lastSequence), 10_000);
    expect((await readingsOf('ADM')).nodes.map((r) => r.value)).toEqual([40, 41]);
  });

  it('refuses a user with FORBIDDEN and a caller without a token with UNAUTHENTICATED, recording nothing', async () => {
    const before = await streamMessages();
    const asUser = await record(batch('USR', 1), user.accessToken);
    expect(errorCode(asUser)).toBe('FORBIDDEN');
    expect(asUser.data?.recordReadings).toBeUndefined();
    const userKey = (await createApiKey(api.gql, user.accessToken, 'USER')).key;
    expect(errorCode(await record(batch('USR', 1), userKey))).toBe('FORBIDDEN');
    expect(errorCode(await api.gql(RECORD, { readings: batch('USR', 1) }))).toBe('UNAUTHENTICATED');
    expect(await streamMessages()).toBe(before);
  });

  const badReadings: Array<{ why: string; bad: Partial<ReadingIn>; field: string; message: string }> = [
    { why: 'a value out of range', bad: { value: 120 }, field: 'value', message: 'reading 3: value 120 is out of range for humidity (0…100 %)' },
    { why: 'an unknown sensor type', bad: { sensorType: 'radiation' }, field: 'sensorType', message: 'reading 3: sensorType must be one of temperature, humidity, pressure, co2, light' },
    { why: 'a device code that is not capital letters', bad: { deviceCode: "A'; DROP TABLE readings; --" }, field: 'deviceCode', message: 'reading 3: deviceCode must be 1–20 capital letters A–Z' },
    { why: 'device number 0', bad: { deviceNumber: 0 }, field: 'deviceNumber', message: 'reading 3: deviceNumber must be an integer from 1 to 2147483647' },
    { why: 'a timestamp too far in the future', bad: { timestamp: iso(Date.now() + 10 * 60_000) }, field: 'timestamp', message: 'reading 3: timestamp cannot be more than 300 s in the future' },
    { why: 'seq 0', bad: { seq: 0 }, field: 'seq', message: 'reading 3: seq must be a whole number from 1 up' },
  ];

  it.each(badReadings)('refuses a whole batch with $why in one reading, saying which and why, and publishes nothing', async ({ bad, field, message }) => {
    const before = await streamMessages();
    const readings = batch('BAD', 5);
    readings[3] = { ...readings[3]!, ...bad };
    const response = await record(readings, deviceKey);
    expect(response.data?.recordReadings).toBeUndefined();
    expect(response.errors?.[0]?.message).toBe(message);
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', index: 3, field });
    expect(await streamMessages()).toBe(before);
  });

  it('refuses a timestamp that is not RFC 3339 with an offset, naming the reading, and publishes nothing', async () => {
    const before = await streamMessages();
    const readings = batch('BAD', 5);
    readings[2] = { ...readings[2]!, timestamp: '2026-01-01 00:00' };
    const response = await record(readings, deviceKey);
    expect(response.errors?.[0]?.message).toBe('reading 2: timestamp must be an RFC 3339 time with an offset, e.g. 2026-01-31T12:00:00Z');
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', index: 2, field: 'timestamp' });
    expect(await streamMessages()).toBe(before);
  });

  it('refuses an empty batch and one of more than 1000 readings, and accepts exactly 1000', async () => {
    const before = await streamMessages();
    const empty = await record([], deviceKey);
    expect(errorCode(empty)).toBe('BAD_USER_INPUT');
    expect(empty.errors?.[0]?.message).toBe('a batch holds 1 to 1000 readings, not 0');
    expect(empty.errors?.[0]?.extensions?.field).toBe('readings');
    const tooMany = await record(batch('BIG', 1001), deviceKey);
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
    expect(tooMany.errors?.[0]?.message).toBe('a batch holds 1 to 1000 readings, not 1001');
    expect(await streamMessages()).toBe(before);

    const full = recorded(await record(batch('BIG', 1000), deviceKey));
    expect(full).toMatchObject({ accepted: 1000, duplicates: 0 });
    expect(await streamMessages()).toBe(before + 1000);
    // One connection keeps them in order: the stream holds the batch as sent.
    expect(Number(full.lastSequence) - Number(full.firstSequence)).toBe(999);
    await api.projector.waitFor(Number(full.lastSequence), 20_000);
    const response = await api.gql<{ readings: { totalCount: number } }>('{ readings(filter: { deviceCode: "BIG" }) { totalCount } }', {}, admin.accessToken);
    expect(response.data?.readings.totalCount).toBe(1000);
  });

  it('stores a batch retried with the same batchId once, answering the retry with the same sequences', async () => {
    const before = await streamMessages();
    const readings = batch('RETRY', 4);
    const first = recorded(await record(readings, deviceKey, 'gateway-7/batch-0042'));
    const retry = recorded(await record(readings, deviceKey, 'gateway-7/batch-0042'));
    expect(first).toMatchObject({ accepted: 4, duplicates: 0 });
    expect(retry).toEqual({ ...first, duplicates: 4 });
    expect(await streamMessages()).toBe(before + 4);

    // Another batchId is another batch.
    const other = recorded(await record(readings, deviceKey, 'gateway-7/batch-0043'));
    expect(other).toMatchObject({ accepted: 4, duplicates: 0 });
    expect(Number(other.firstSequence)).toBeGreaterThan(Number(first.lastSequence));
    await api.projector.waitFor(Number(other.lastSequence), 10_000);
    expect((await readingsOf('RETRY')).totalCount).toBe(8);
  });

  it('refuses a batchId longer than 200 characters', async () => {
    const response = await record(batch('LONG', 1), deviceKey, 'x'.repeat(201));
    expect(errorCode(response)).toBe('BAD_USER_INPUT');
    expect(response.errors?.[0]?.extensions?.field).toBe('batchId');
  });
});
