import { describe, expect, it } from 'vitest';
import { decodeEvent } from './events.ts';

const base = {
  type: 'ReadingRecorded',
  version: 1,
  id: 'e1',
  occurredAt: '2026-01-01T00:00:00Z',
  data: { sensorType: 'humidity', value: 50, deviceCode: 'AB', deviceNumber: 7, timestamp: '2026-01-01T01:04:59+01:00', seq: 3 },
};
const decode = (event: unknown) => decodeEvent(JSON.stringify(event), { maxFutureMs: 300_000 });
const withData = (data: Record<string, unknown>) => decode({ ...base, data: { ...base.data, ...data } });

describe('decodeEvent', () => {
  it('accepts a valid reading with an offset timestamp just under the future limit', () => {
    expect(decode(base)).toEqual({ ok: true, event: base });
  });

  it.each([
    [{ value: 0 }, true],
    [{ value: 100 }, true],
    [{ value: 100.01 }, false],
    [{ value: -0.5 }, false],
    [{ sensorType: 'light', value: 200000 }, true],
    [{ sensorType: 'pressure', value: 299.9 }, false],
    [{ sensorType: 'temperature', value: -50 }, true],
    [{ sensorType: 'co2', value: 10001 }, false],
  ])('checks the value range of each type: %j → %s', (data, ok) => {
    expect(withData(data).ok).toBe(ok);
  });

  it.each([
    [{ deviceCode: '' }, 'bad_device_code'],
    [{ deviceCode: 'ABCDEFGHIJKLMNOPQRSTU' }, 'bad_device_code'],
    [{ deviceCode: 'Ab' }, 'bad_device_code'],
    [{ deviceNumber: 0 }, 'bad_device_number'],
    [{ deviceNumber: 2147483648 }, 'bad_device_number'],
    [{ deviceNumber: 1.5 }, 'bad_device_number'],
    [{ sensorType: 'noise' }, 'unknown_sensor_type'],
    [{ value: 'hot' }, 'value_out_of_range'],
    [{ timestamp: '2026-01-01T00:00:00' }, 'bad_timestamp'],
    [{ timestamp: '2026-01-01T00:05:01Z' }, 'timestamp_in_future'],
  ])('refuses %j as %s', (data, reason) => {
    expect(withData(data)).toMatchObject({ ok: false, reason });
  });

  it('accepts the largest device number', () => {
    expect(withData({ deviceNumber: 2147483647 }).ok).toBe(true);
  });

  it('names the field at fault in the detail', () => {
    expect(withData({ deviceNumber: 0 })).toMatchObject({ detail: 'data.deviceNumber: deviceNumber must be between 1 and 2147483647' });
  });

  it('refuses malformed JSON, unknown types and bad envelopes', () => {
    expect(decodeEvent('{', { maxFutureMs: 0 })).toMatchObject({ ok: false, reason: 'malformed_json' });
    expect(decode({ ...base, type: 'Nope' })).toMatchObject({ ok: false, reason: 'unknown_type' });
    expect(decode({ ...base, occurredAt: 'yesterday' })).toMatchObject({ ok: false, reason: 'invalid_envelope' });
    expect(decode([1, 2])).toMatchObject({ ok: false });
  });

  it('requires an actor on human changes', () => {
    const edit = { type: 'ReadingsEdited', version: 1, id: 'c1', occurredAt: base.occurredAt, data: { commandId: 'x', filter: { deviceCode: 'A' }, changes: { value: 0 } } };
    expect(decode(edit)).toMatchObject({ ok: false, reason: 'invalid_envelope' });
    expect(decode({ ...edit, actor: 'alice' })).toMatchObject({ ok: true });
  });
});
