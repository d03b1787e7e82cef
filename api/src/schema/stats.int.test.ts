/**
 * readingStats from the rollups equals the same aggregate over the raw readings, after a
 * mix of readings, edits, deletes and restores, for ranges cut mid-minute, and after a rebuild.
 */
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildReadModels } from '../../../projector/src/rebuild/rebuild.ts';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { change, iso, publishEvents, reading, T0 } from '../../../test/support/events.ts';

let env: TestEnv;
let api: ApiStack;
let token: string;

type Bucket = { start: string; count: number; min: number; max: number; avg: number };
const STATS = `query($filter: ReadingFilter, $bucket: StatBucketSize!) { readingStats(filter: $filter, bucket: $bucket) { start count min max avg } }`;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env);
  token = (await api.gql<{ register: { accessToken: string } }>(`mutation { register(username: "admin", password: "password123") { accessToken } }`)).data!.register.accessToken;
  // Two devices, two types, three hours of readings every 37 s, with changes in between.
  const events = [];
  for (let i = 0; i < 300; i++) {
    const at = T0 + i * 37_000;
    events.push(reading({ deviceCode: 'ST', deviceNumber: 1 + (i % 2), sensorType: i % 3 ? 'temperature' : 'humidity', value: 10 + ((i * 7) % 31) + 0.1, at }));
    if (i === 100) events.push(change('ReadingsEdited', { deviceCode: 'ST', deviceNumber: 1, to: iso(T0 + 30 * 60_000) }, { changes: { value: 42.5 } }));
    if (i === 150) events.push(change('ReadingsDeleted', { deviceCode: 'ST', sensorType: 'humidity', from: iso(T0 + 10 * 60_000) }));
    if (i === 200) events.push(change('ReadingsEdited', { deviceNumber: 2, from: iso(T0 + 3_600_000), to: iso(T0 + 3_700_000) }, { changes: { timestamp: iso(T0 + 60_500) } }));
    if (i === 250) events.push(change('ReadingsRestored', { deviceCode: 'ST', sensorType: 'humidity', to: iso(T0 + 40 * 60_000) }));
  }
  const seqs = await publishEvents(jetstream(env.nc), env.names, events);
  await api.projector.waitFor(seqs.at(-1)!, 20_000);
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

/** The same aggregate, straight from the readings. */
async function rawStats(filter: { deviceCode?: string; deviceNumber?: number; sensorType?: string; from?: string; to?: string }, bucket: 'minute' | 'hour' | 'day'): Promise<Bucket[]> {
  const where = ['deleted_at IS NULL'];
  const params: unknown[] = [bucket];
  const add = (condition: string, value: unknown) => {
    params.push(value);
    where.push(condition.replace('?', `$${params.length}`));
  };
  if (filter.deviceCode !== undefined) add('device_code = ?', filter.deviceCode);
  if (filter.deviceNumber !== undefined) add('device_number = ?', filter.deviceNumber);
  if (filter.sensorType !== undefined) add('sensor_type = ?', filter.sensorType);
  if (filter.from) add('"timestamp" >= ?::timestamptz', filter.from);
  if (filter.to) add('"timestamp" <= ?::timestamptz', filter.to);
  const result = await env.db.query(
    `SELECT to_char(date_trunc($1, "timestamp" AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS start, count(*)::int AS count, min(value) AS min, max(value) AS max, avg(value::numeric)::float8 AS avg
     FROM readings WHERE ${where.join(' AND ')} GROUP BY 1 ORDER BY 1`,
    params,
  );
  return result.rows;
}

async function apiStats(filter: Record<string, unknown>, bucket: string): Promise<Bucket[]> {
  const response = await api.gql<{ readingStats: Bucket[] }>(STATS, { filter, bucket }, token);
  expect(response.errors).toBeUndefined();
  return response.data!.readingStats.map((b) => ({ ...b, start: b.start.replace(/\.000Z$/, 'Z') }));
}

function expectSame(actual: Bucket[], expected: Bucket[]) {
  expect(actual.map(({ start, count, min, max }) => ({ start, count, min, max }))).toEqual(expected.map(({ start, count, min, max }) => ({ start, count, min, max })));
  actual.forEach((b, i) => expect(b.avg).toBeCloseTo(expected[i]!.avg, 9));
}

const cases: [string, Record<string, string | number>, 'MINUTE' | 'HOUR' | 'DAY'][] = [
  ['everything by hour', {}, 'HOUR'],
  ['one device and type by minute', { deviceCode: 'ST', deviceNumber: 1, sensorType: 'temperature' }, 'MINUTE'],
  ['a range cut mid-minute by minute', { from: iso(T0 + 90_500), to: iso(T0 + 50 * 60_000 + 12_345) }, 'MINUTE'],
  ['a range inside one minute', { deviceCode: 'ST', from: iso(T0 + 120_100), to: iso(T0 + 179_900) }, 'MINUTE'],
  ['a range cut mid-minute by hour', { sensorType: 'humidity', from: iso(T0 + 5 * 60_000 + 1), to: iso(T0 + 2 * 3_600_000 + 30_000) }, 'HOUR'],
  ['everything by day', {}, 'DAY'],
];

describe('readingStats', () => {
  it.each(cases)('equals the raw aggregate: %s', async (_name, filter, bucket) => {
    const expected = await rawStats(filter, bucket.toLowerCase() as 'minute');
    expect(expected.length).toBeGreaterThan(0);
    expectSame(await apiStats(filter, bucket), expected);
  });

  it('still equals the raw aggregate after a rebuild', async () => {
    await rebuildReadModels({ databaseUrl: env.databaseUrl, names: env.names, batchSize: 64, maxFutureMs: 300_000 }, { nc: env.nc });
    for (const [, filter, bucket] of cases) expectSame(await apiStats(filter, bucket), await rawStats(filter, bucket.toLowerCase() as 'minute'));
  });
});
