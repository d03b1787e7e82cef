import { describe, expect, it } from 'vitest';
import { decodeStored } from './stored.ts';

const at = Date.parse('2026-03-01T10:00:00Z');
const stored = (subject: string, payload: unknown) => ({ subject, data: Buffer.from(JSON.stringify(payload)), sequence: 42, storedAtMs: at });
const options = { maxFutureMs: 300_000, prefix: 'iot' };

describe('decodeStored', () => {
  it('takes a bare reading on a reading subject, with its type and device from the subject and its time from the stream', () => {
    const decoded = decodeStored(stored('iot.reading.humidity.AB.7', { value: 55.5, seq: 3 }), options);
    expect(decoded).toEqual({
      ok: true,
      event: {
        type: 'ReadingRecorded',
        version: 1,
        id: 'stored-42',
        occurredAt: '2026-03-01T10:00:00.000Z',
        data: { sensorType: 'humidity', deviceCode: 'AB', deviceNumber: 7, value: 55.5, seq: 3, timestamp: '2026-03-01T10:00:00.000Z' },
      },
    });
  });

  it('validates a bare reading like any other', () => {
    expect(decodeStored(stored('iot.reading.humidity.AB.7', { value: 101 }), options)).toMatchObject({ ok: false, reason: 'value_out_of_range' });
    expect(decodeStored(stored('iot.reading.noise.AB.7', { value: 1 }), options)).toMatchObject({ ok: false, reason: 'unknown_sensor_type' });
    expect(decodeStored(stored('iot.reading.humidity.ab.7', { value: 1 }), options)).toMatchObject({ ok: false, reason: 'bad_device_code' });
    expect(decodeStored(stored('iot.reading.humidity.AB.0', { value: 1 }), options)).toMatchObject({ ok: false, reason: 'bad_device_number' });
  });

  it('refuses a reading whose subject and data disagree', () => {
    const decoded = decodeStored(stored('iot.reading.humidity.AB.7', { value: 50, deviceCode: 'CD' }), options);
    expect(decoded).toMatchObject({ ok: false, reason: 'invalid_data', detail: 'a humidity reading of CD-7 belongs on iot.reading.humidity.CD.7, not iot.reading.humidity.AB.7' });
  });
});
