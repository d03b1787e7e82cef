import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../schema/src/config.ts';
import { parseCommandLine, queueBound, UsageError, type SimulatorSettings } from './config.ts';

function settings(argv: string[], env: NodeJS.ProcessEnv = {}): SimulatorSettings {
  const commandLine = parseCommandLine(argv, env);
  if (commandLine.kind !== 'run') throw new Error(`expected run, got ${commandLine.kind}`);
  return commandLine.settings;
}

describe('simulator command line', () => {
  it('defaults to 100 devices every 5 s with a random seed', () => {
    const s = settings(['--type', 'humidity']);
    expect(s).toMatchObject({ SIM_TYPE: 'humidity', SIM_DEVICES: 100, SIM_SEED: null, intervalMs: 5000, benchmark: false, SIM_MAX_IN_FLIGHT: 1024 });
    expect(s).toMatchObject({ NATS_URL: 'nats://127.0.0.1:4222', STREAM_NAME: 'SENSORS', SUBJECT_PREFIX: 'iot' });
  });

  it('lets flags override environment variables', () => {
    const s = settings(['--devices', '500', '--seed', '12'], { SIM_TYPE: 'co2', SIM_DEVICES: '20', SIM_INTERVAL_SECONDS: '7' });
    expect(s).toMatchObject({ SIM_TYPE: 'co2', SIM_DEVICES: 500, SIM_SEED: 12, intervalMs: 7000 });
  });

  it('refuses an interval below 5 s without the benchmark flag', () => {
    expect(() => settings(['--type', 'humidity', '--interval', '4'])).toThrow(/--interval: expected whole seconds from 5/);
    expect(() => settings(['--type', 'humidity'], { SIM_INTERVAL_SECONDS: '1' })).toThrow(/SIM_INTERVAL_SECONDS/);
  });

  it('accepts a sub-second interval through the benchmark flag', () => {
    expect(settings(['--type', 'humidity', '--benchmark-interval-ms', '100'])).toMatchObject({ intervalMs: 100, benchmark: true });
    expect(settings(['--type', 'humidity', '--interval', '60'], { SIM_BENCHMARK_INTERVAL_MS: '250' })).toMatchObject({ intervalMs: 250, benchmark: true });
  });

  it('names the flag and the variable when --type is missing', () => {
    expect(() => settings([])).toThrow(ConfigError);
    expect(() => settings([])).toThrow('Missing --type (or environment variable SIM_TYPE): expected one of temperature, humidity, pressure, co2, light');
  });

  it('names the variable for a bad environment value and the flag for a bad flag value', () => {
    expect(() => settings(['--type', 'humidity'], { SIM_DEVICES: 'abc' })).toThrow('Invalid environment variable SIM_DEVICES: expected an integer from 1 to 200000, got "abc"');
    expect(() => settings(['--type', 'humidity', '--devices', '0'])).toThrow('Invalid option --devices: expected an integer from 1 to 200000, got "0"');
    expect(() => settings(['--type', 'wind'])).toThrow('Invalid option --type');
  });

  it('reports unknown flags and stray arguments as usage errors', () => {
    expect(() => parseCommandLine(['--type', 'humidity', '--colour', 'red'], {})).toThrow(UsageError);
    expect(() => parseCommandLine(['humidity'], {})).toThrow(UsageError);
  });

  it('starts the devices unassigned with --unassigned or SIM_UNASSIGNED=true', () => {
    expect(settings(['--type', 'humidity'])).toMatchObject({ SIM_UNASSIGNED: false });
    expect(settings(['--type', 'humidity', '--unassigned'])).toMatchObject({ SIM_UNASSIGNED: true });
    expect(settings(['--type', 'humidity'], { SIM_UNASSIGNED: 'true' })).toMatchObject({ SIM_UNASSIGNED: true });
    expect(() => settings(['--type', 'humidity'], { SIM_UNASSIGNED: 'yes' })).toThrow('Invalid environment variable SIM_UNASSIGNED: expected true or false, got "yes"');
  });

  it('asks for help with --help', () => {
    expect(parseCommandLine(['--help'], {})).toEqual({ kind: 'help' });
  });

  it('lets at least four windows and at least one second of readings queue, at most 100,000', () => {
    expect(queueBound(1024, 100, 5000)).toBe(4096);
    expect(queueBound(1024, 100_000, 5000)).toBe(20_000);
    expect(queueBound(1024, 200_000, 1)).toBe(100_000);
  });
});
