import { describe, expect, it } from 'vitest';
import { compactLogLine, wantsColour } from './output.ts';

const at = new Date(2026, 0, 1, 12, 34, 56).getTime();

describe('compactLogLine', () => {
  it('shows a pino line as local time, level and message, with the other fields as key=value', () => {
    const line = JSON.stringify({ level: 40, time: at, pid: 1, hostname: 'h', service: 'projector', name: 'projector', msg: 'event dead-lettered', sequence: 7, reason: 'bad_device_code', detail: 'deviceCode must be 1–20 capital letters' });
    expect(compactLogLine(line, false)).toBe('12:34:56 WARN  event dead-lettered sequence=7 reason=bad_device_code detail="deviceCode must be 1–20 capital letters"');
  });

  it('shows an error field by its message', () => {
    const line = JSON.stringify({ level: 50, time: at, msg: 'projector run failed', err: { type: 'Error', message: 'connection refused', stack: 'Error: …' } });
    expect(compactLogLine(line, false)).toBe('12:34:56 ERROR projector run failed err="connection refused"');
  });

  it('leaves lines that are not pino JSON as they are', () => {
    expect(compactLogLine('projector failed to start: Error: boom', false)).toBe('projector failed to start: Error: boom');
    expect(compactLogLine('{"not":"a log line"}', false)).toBe('{"not":"a log line"}');
    expect(compactLogLine('{broken', false)).toBe('{broken');
  });

  it('colours the level only when asked to', () => {
    const line = JSON.stringify({ level: 30, time: at, msg: 'hello' });
    expect(compactLogLine(line, true)).toContain('\u001b[32mINFO \u001b[0m');
  });
});

describe('wantsColour', () => {
  const tty = { isTTY: true } as NodeJS.WriteStream;
  const pipe = { isTTY: false } as NodeJS.WriteStream;

  it('colours a terminal but not a pipe', () => {
    expect(wantsColour(tty, {})).toBe(true);
    expect(wantsColour(pipe, {})).toBe(false);
  });

  it('obeys NO_COLOR over a terminal and FORCE_COLOR over a pipe', () => {
    expect(wantsColour(tty, { NO_COLOR: '1' })).toBe(false);
    expect(wantsColour(pipe, { FORCE_COLOR: '1' })).toBe(true);
  });
});
