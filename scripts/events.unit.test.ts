import { describe, expect, it } from 'vitest';
import { AuditInputError } from '../schema/src/audit.ts';
import { formatRow, parseCommand } from './events.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');

function usageError(argv: string[]): string {
  try {
    parseCommand(argv, NOW);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${argv.join(' ')} to be refused`);
}

describe('parseCommand', () => {
  it('reads the audit filters', () => {
    expect(parseCommand(['--device', 'A-1', '--from', '2026-02-01', '--to', '2h', '--actor', 'alice', '--type', 'ReadingsEdited,readingsdeleted', '--type', 'INVALID', '--limit', '5', '--json'], NOW)).toEqual({
      kind: 'audit',
      filter: {
        deviceCode: 'A',
        deviceNumber: 1,
        from: '2026-02-01T00:00:00.000Z',
        to: '2026-03-01T10:00:00.000Z',
        actor: 'alice',
        types: ['ReadingsEdited', 'ReadingsDeleted', 'INVALID'],
      },
      limit: 5,
      json: true,
    });
  });

  it('reads export and import', () => {
    expect(parseCommand(['export'], NOW)).toEqual({ kind: 'export' });
    expect(parseCommand(['export', '--output', 'b.ndjson'], NOW)).toEqual({ kind: 'export', output: 'b.ndjson' });
    expect(parseCommand(['import'], NOW)).toEqual({ kind: 'import' });
    expect(parseCommand(['import', 'b.ndjson'], NOW)).toEqual({ kind: 'import', file: 'b.ndjson' });
  });

  it('refuses what it cannot use, saying what', () => {
    expect(usageError(['--colour', 'red'])).toContain("Unknown option '--colour'");
    expect(usageError(['--from', '2026-02-01', '--to', '2026-01-01'])).toBe('start time cannot be greater than end time');
    expect(usageError(['--to', '31/01/2026'])).toContain('--to must be an RFC 3339 time');
    expect(usageError(['--limit', '0'])).toContain('--limit must be a whole number');
    expect(usageError(['--sensor-type', 'wind'])).toContain('--sensor-type must be one of temperature');
    expect(usageError(['--type', 'Nope'])).toContain('unknown event type "Nope"');
    expect(usageError(['export', '--device', 'A-1'])).toContain('export takes no filters (got --device)');
    expect(usageError(['import', 'a', 'b'])).toContain('import takes one file at most');
    expect(usageError(['purge'])).toContain('unknown command "purge"');
    expect(() => parseCommand(['--device', 'a'], NOW)).toThrow(AuditInputError);
  });
});

describe('formatRow', () => {
  it('shows data as compact JSON, and why an invalid message is refused', () => {
    const base = { sequence: 9, time: '2026-01-01T00:00:00.000Z', subject: 'iot.readings.edited', eventId: 'e', occurredAt: null };
    expect(formatRow({ ...base, type: 'ReadingsEdited', actor: 'alice', data: { changes: { value: 0 } }, problem: null })).toEqual(['9', base.time, 'ReadingsEdited', 'alice', '{"changes":{"value":0}}']);
    expect(formatRow({ ...base, type: 'INVALID', actor: null, data: '{"value": ', problem: 'malformed_json: Unexpected end' })[4]).toBe('malformed_json: Unexpected end — "{\\"value\\": "');
  });
});
