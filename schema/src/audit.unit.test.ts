import { describe, expect, it } from 'vitest';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { AuditInputError, auditSubjects, cannotBeBy, checkAuditFilter, INVALID_EVENT_TYPE, matchesAudit, parseDevice, type AuditEvent } from './audit.ts';

const TREES = ['iot.reading.>', 'iot.readings.>', 'iot.device.>', 'iot.alarm.>'];

function event(partial: Partial<AuditEvent>): AuditEvent {
  return { sequence: 1, time: '2026-01-01T00:00:00.000Z', subject: 'iot.readings.edited', type: 'ReadingsEdited', actor: null, eventId: 'e', occurredAt: null, data: {}, problem: null, ...partial };
}

function inputError(run: () => unknown): AuditInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof AuditInputError) return error;
    throw error;
  }
  throw new Error('expected an AuditInputError');
}

describe('parseDevice', () => {
  it('reads CODE-NUMBER and a bare CODE', () => {
    expect(parseDevice('A-7')).toEqual({ deviceCode: 'A', deviceNumber: 7 });
    expect(parseDevice('GH')).toEqual({ deviceCode: 'GH' });
  });

  it('refuses lower case, number zero and junk, naming the flag', () => {
    expect(inputError(() => parseDevice('a-7')).message).toMatch(/device must be CODE-NUMBER/);
    expect(inputError(() => parseDevice('A-0')).message).toMatch(/between 1 and 2147483647/);
    expect(inputError(() => parseDevice('A-7-8')).field).toBe('device');
  });
});

describe('checkAuditFilter', () => {
  it('normalises times to UTC and canonical type names', () => {
    expect(checkAuditFilter({ from: '2026-01-01T01:00:00+01:00', types: ['readingsedited', 'invalid'] })).toEqual({
      from: '2026-01-01T00:00:00.000Z',
      types: ['ReadingsEdited', INVALID_EVENT_TYPE],
    });
  });

  it('refuses a start after the end with the rule of the domain', () => {
    expect(inputError(() => checkAuditFilter({ from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' })).message).toBe('start time cannot be greater than end time');
  });

  it('refuses a time without an offset, an unknown type and a number without a code', () => {
    expect(inputError(() => checkAuditFilter({ to: '2026-01-01T00:00:00' })).field).toBe('to');
    expect(inputError(() => checkAuditFilter({ types: ['ReadingChanged'] })).message).toMatch(/unknown event type "ReadingChanged": one of ReadingRecorded, .*INVALID/);
    expect(inputError(() => checkAuditFilter({ deviceNumber: 3 })).field).toBe('deviceNumber');
  });
});

describe('auditSubjects', () => {
  it('reads the whole stream through one consumer when nothing narrows it', () => {
    expect(auditSubjects('iot', TREES, {})).toEqual([]);
    expect(auditSubjects('iot', TREES, { actor: 'alice', from: '2026-01-01T00:00:00Z' })).toEqual([]);
  });

  it('narrows the reading and device trees to a device, keeping the trees where changes and other events live', () => {
    expect(auditSubjects('iot', TREES, { deviceCode: 'A', deviceNumber: 7 })).toEqual(['iot.reading.*.A.7', 'iot.readings.>', 'iot.device.*.A.7', 'iot.alarm.>']);
    expect(auditSubjects('iot', TREES, { deviceCode: 'A', sensorType: 'humidity' })).toEqual(['iot.reading.humidity.A.*', 'iot.readings.>', 'iot.device.*.A.*', 'iot.alarm.>']);
  });

  it('reads only the subjects of the types asked for, when it knows them all', () => {
    expect(auditSubjects('iot', TREES, { types: ['ReadingsEdited', 'DeviceCommandIssued'], deviceCode: 'B' })).toEqual(['iot.readings.edited', 'iot.device.command.B.*']);
  });

  it('falls back to every tree for a type it has no subject for (INVALID, or types added later)', () => {
    expect(auditSubjects('iot', TREES, { types: ['ReadingsEdited', INVALID_EVENT_TYPE] })).toEqual([]);
  });
});

describe('matchesAudit', () => {
  const reading = event({ type: 'ReadingRecorded', subject: 'iot.reading.humidity.A.7', data: { deviceCode: 'A', deviceNumber: 7, sensorType: 'humidity' } });
  const editOfA7 = event({ actor: 'alice', data: { filter: { deviceCode: 'A', deviceNumber: 7 } } });
  const deleteOfA = event({ type: 'ReadingsDeleted', actor: 'bob', data: { filter: { deviceCode: 'A' } } });
  const deleteOfHumidity = event({ type: 'ReadingsDeleted', actor: 'bob', data: { filter: { sensorType: 'humidity' } } });
  const invalidOnA7 = event({ type: INVALID_EVENT_TYPE, subject: 'iot.reading.humidity.A.7', data: 'not json', problem: 'malformed_json: …' });

  it('takes a device to mean its events and the changes whose filter names it', () => {
    const a7 = { deviceCode: 'A', deviceNumber: 7 };
    expect([reading, editOfA7, deleteOfA, deleteOfHumidity, invalidOnA7].map((e) => matchesAudit(e, a7, 'iot'))).toEqual([true, true, true, false, true]);
    const a8 = { deviceCode: 'A', deviceNumber: 8 };
    expect([reading, editOfA7, deleteOfA, deleteOfHumidity].map((e) => matchesAudit(e, a8, 'iot'))).toEqual([false, false, true, false]);
  });

  it('filters by actor, type and stored time (both ends inclusive)', () => {
    expect(matchesAudit(editOfA7, { actor: 'alice' }, 'iot')).toBe(true);
    expect(matchesAudit(deleteOfA, { actor: 'alice' }, 'iot')).toBe(false);
    expect(matchesAudit(deleteOfA, { types: ['ReadingsEdited'] }, 'iot')).toBe(false);
    expect(matchesAudit(reading, { from: reading.time, to: reading.time }, 'iot')).toBe(true);
    expect(matchesAudit(reading, { from: '2026-01-01T00:00:00.001Z' }, 'iot')).toBe(false);
  });
});

describe('cannotBeBy', () => {
  const message = (payload: string, actorHeader?: string) => {
    const h = natsHeaders();
    if (actorHeader) h.set('Event-Actor', actorHeader);
    return { data: Buffer.from(payload), headers: h };
  };

  it('rules out only messages that spell the actor nowhere', () => {
    expect(cannotBeBy(message('{"type":"ReadingsEdited","actor":"bob"}'), 'alice')).toBe(true);
    expect(cannotBeBy(message('{"type":"ReadingsEdited","actor":"alice"}'), 'alice')).toBe(false);
    expect(cannotBeBy(message('not json', 'alice'), 'alice')).toBe(false);
  });

  it('decodes a payload with escapes rather than guess', () => {
    expect(cannotBeBy(message('{"actor":"\\u0061lice"}'), 'alice')).toBe(false);
  });
});
