import { describe, expect, it } from 'vitest';
import { commonVars, ConfigError, loadConfig, vars } from './config.ts';

describe('loadConfig', () => {
  it('applies defaults for variables that are not set', () => {
    expect(loadConfig(commonVars, {})).toEqual({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/sensors',
      NATS_URL: 'nats://127.0.0.1:4222',
      STREAM_NAME: 'SENSORS',
      SUBJECT_PREFIX: 'iot',
      LOG_LEVEL: 'info',
      DEVICE_LOG_RETENTION: 86_400,
    });
  });

  it('names a missing required variable and what it expects', () => {
    expect(() => loadConfig({ SIM_TYPE: vars.oneOf(['humidity', 'pressure'] as const) }, {})).toThrow(
      new ConfigError('SIM_TYPE', 'one of humidity, pressure', undefined),
    );
    expect(() => loadConfig({ SIM_TYPE: vars.oneOf(['humidity'] as const) }, {})).toThrow(/SIM_TYPE: expected one of humidity \(it is not set\)/);
  });

  it('rejects a malformed value with the value it got', () => {
    expect(() => loadConfig(commonVars, { NATS_URL: 'http://x' })).toThrow('Invalid environment variable NATS_URL: expected a nats:// URL (several may be given, comma-separated), got "http://x"');
    expect(() => loadConfig({ N: vars.int(1, 10) }, { N: '1.5' })).toThrow(/N: expected an integer from 1 to 10, got "1.5"/);
    expect(() => loadConfig({ B: vars.bool(false) }, { B: 'yes' })).toThrow(/B: expected true or false/);
  });

  it('reads durations in seconds, minutes, hours or days, within their bounds', () => {
    const spec = { D: vars.duration(1, 7 * 86_400, '24h') };
    expect(['90', '90s', '15m', '24h', '7d', ' 2h ', ''].map((D) => loadConfig(spec, { D }).D)).toEqual([90, 90, 900, 86_400, 604_800, 7200, 86_400]);
    expect(() => loadConfig(spec, { D: '0s' })).toThrow('Invalid environment variable D: expected a duration such as 30s, 15m, 24h or 7d (or whole seconds), from 1 s to 7 d, got "0s"');
    for (const D of ['8d', '1.5h', '-5', '3w', 'h']) expect(() => loadConfig(spec, { D }), D).toThrow(ConfigError);
  });

  it('accepts several NATS servers', () => {
    expect(loadConfig(commonVars, { NATS_URL: 'nats://a:4222, nats://b:4222' }).NATS_URL).toBe('nats://a:4222, nats://b:4222');
  });
});
