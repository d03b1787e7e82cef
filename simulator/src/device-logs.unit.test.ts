import { describe, expect, it } from 'vitest';
import { LOG_LEVELS, type LogLevel } from '../../schema/src/logs.ts';
import { createLogGenerators, logLineFor, type LogLine } from './device-logs.ts';
import { DeviceStates } from './device-state.ts';
import { createFleet, measure } from './fleet.ts';
import { createRng } from './random.ts';

/** Device `device` of a fresh fleet measures `count` times; the lines it would log, by seq. */
function linesOf(seed: number, device: number, count: number, othersFirst = 0): (LogLine | null)[] {
  const fleet = createFleet('humidity', 20, createRng(seed));
  const generators = createLogGenerators(fleet);
  // Other devices measuring (and logging) in between must not change this device's lines.
  for (let i = 0; i < othersFirst; i++) {
    const other = (device + 1 + (i % 19)) % 20;
    logLineFor(generators, other, 'humidity', measure(fleet, other));
  }
  return Array.from({ length: count }, () => logLineFor(generators, device, 'humidity', measure(fleet, device)));
}

describe('simulated device logs', () => {
  it('gives a device the same lines for the same seed, whatever the other devices did', () => {
    const alone = linesOf(7, 3, 2000);
    expect(linesOf(7, 3, 2000, 500)).toEqual(alone);
    expect(linesOf(8, 3, 2000)).not.toEqual(alone);
    expect(alone.filter(Boolean).length).toBeGreaterThan(300);
  });

  it('logs mostly debug and info lines, now and then a warning or an error', () => {
    const counts = new Map<LogLevel | 'none', number>();
    for (let device = 0; device < 20; device++) {
      for (const line of linesOf(11, device, 10_000)) counts.set(line?.level ?? 'none', (counts.get(line?.level ?? 'none') ?? 0) + 1);
    }
    const share = (level: LogLevel | 'none') => (counts.get(level) ?? 0) / 200_000;
    expect(share('debug')).toBeGreaterThan(0.2);
    expect(share('debug')).toBeLessThan(0.3);
    expect(share('info')).toBeGreaterThan(0.01);
    expect(share('info')).toBeLessThan(0.03);
    // Occasional: each well under one measurement in a hundred, but there.
    expect(share('warning')).toBeGreaterThan(0);
    expect(share('warning')).toBeLessThan(0.01);
    expect(share('error')).toBeGreaterThan(0);
    expect(share('error')).toBeLessThan(0.002);
    expect(share('critical')).toBeLessThan(0.0005);
    expect(share('none')).toBeGreaterThan(0.6);
  });

  it('warns and errs about values near the edge of the typical band, naming the value and the band', () => {
    const fleet = createFleet('humidity', 1, createRng(1));
    const generators = createLogGenerators(fleet);
    const lines: LogLine[] = [];
    for (let i = 0; i < 5000; i++) {
      const line = logLineFor(generators, 0, 'humidity', { deviceCode: 'A', deviceNumber: 1, value: 89.9, seq: i + 1 });
      if (line && (line.level === 'error' || line.level === 'warning') && line.message.includes('edge')) lines.push(line);
    }
    expect(lines.length).toBeGreaterThan(100);
    expect(lines[0]).toMatchObject({ level: 'error', message: 'humidity 89.9 % at the top edge of its typical range (20–90 %)', fields: { value: 89.9, typicalMin: 20, typicalMax: 90 } });
  });
});

describe('a device’s minimum log level', () => {
  it('is info until told otherwise, and passes lines at or above it', () => {
    const states = new DeviceStates(2, false);
    const passing = (device: number) => LOG_LEVELS.filter((level) => states.logs(device, level));
    expect(passing(0)).toEqual(['info', 'warning', 'error', 'critical']);
    states.setLogLevel(0, 'error');
    states.setLogLevel(1, 'debug');
    expect(passing(0)).toEqual(['error', 'critical']);
    expect(passing(1)).toEqual(LOG_LEVELS);
    expect([states.logLevelOf(0), states.logLevelOf(1)]).toEqual(['error', 'debug']);
  });
});
