/**
 * The ingest core as the REST manual endpoint and the CLI will call it, with raw JSON that
 * GraphQL's types would have stopped: every reading is checked before anything is published.
 */
import type { JetStreamClient } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import type { Principal } from './auth/roles.ts';
import { CoreError } from './errors.ts';
import { ReadingIngest } from './ingest.ts';
import type { ReadingInput } from './readings/input.ts';

const NOW = Date.parse('2026-01-31T12:00:00Z');
const device: Principal = { userId: '00000000-0000-0000-0000-000000000001', username: 'gateway-owner', role: 'device', via: 'apiKey' };
const published: string[] = [];
/** A stream that stores everything: the n-th publish gets sequence n. */
const js = { publish: async (subject: string) => ({ stream: 'SENSORS', seq: published.push(subject), duplicate: false }) } as unknown as JetStreamClient;
const ingest = new ReadingIngest(js, { prefix: 'iot', maxFutureMs: 300_000 }, () => NOW);

const good = { sensorType: 'humidity', value: 50, deviceCode: 'GH', deviceNumber: 7, timestamp: '2026-01-31T11:59:00Z' };

async function refusal(readings: unknown[], caller: Principal | null = device): Promise<CoreError> {
  const error = await ingest.record(caller, { readings: readings as ReadingInput[] }).then(
    () => new Error('accepted'),
    (e: unknown) => e,
  );
  if (!(error instanceof CoreError)) throw error;
  return error;
}

describe('ReadingIngest.record', () => {
  it.each([
    { reading: { ...good, value: '50' }, message: 'reading 1: value is required: a number', field: 'value' },
    { reading: { ...good, deviceNumber: undefined }, message: 'reading 1: deviceNumber is required: an integer from 1 to 2147483647', field: 'deviceNumber' },
    { reading: { ...good, deviceNumber: 7.5 }, message: 'reading 1: deviceNumber must be an integer from 1 to 2147483647', field: 'deviceNumber' },
    { reading: { ...good, timestamp: 1769860740000 }, message: 'reading 1: timestamp is required: an RFC 3339 time with an offset', field: 'timestamp' },
    { reading: { ...good, timestamp: '2026-01-31T12:00:00' }, message: 'reading 1: timestamp must be an RFC 3339 time with an offset, e.g. 2026-01-31T12:00:00Z', field: 'timestamp' },
    { reading: { ...good, timestamp: '2026-01-31T12:05:01Z' }, message: 'reading 1: timestamp cannot be more than 300 s in the future', field: 'timestamp' },
    { reading: { ...good, sensorType: null }, message: 'reading 1: sensorType is required: one of temperature, humidity, pressure, co2, light', field: 'sensorType' },
    { reading: { ...good, seq: 2.5 }, message: 'reading 1: seq must be a whole number from 1 up', field: 'seq' },
    { reading: 'humidity 50', message: 'reading 1: a reading is an object with sensorType, value, deviceCode, deviceNumber, timestamp and optionally seq', field: 'reading' },
  ])('refuses $message and publishes nothing', async ({ reading, message, field }) => {
    published.length = 0;
    const error = await refusal([good, reading, good]);
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.message).toBe(message);
    expect(error.details).toEqual({ index: 1, field });
    expect(published).toEqual([]);
  });

  it('accepts a timestamp exactly at the future limit, with any offset, and publishes each reading to its device subject in order', async () => {
    published.length = 0;
    const result = await ingest.record(device, { readings: [{ ...good, timestamp: '2026-01-31T13:05:00+01:00' }, { ...good, sensorType: 'co2', value: 900, deviceNumber: 8 }] });
    expect(result).toEqual({ accepted: 2, duplicates: 0, firstSequence: 1, lastSequence: 2 });
    expect(published).toEqual(['iot.reading.humidity.GH.7', 'iot.reading.co2.GH.8']);
  });

  it('refuses callers without the recordReadings permission before looking at the readings', async () => {
    expect((await refusal([good], { ...device, role: 'user' })).code).toBe('FORBIDDEN');
    expect((await refusal([good], null)).code).toBe('UNAUTHENTICATED');
  });
});
