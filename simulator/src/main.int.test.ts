import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { startService, waitFor } from '../../test/support/processes.ts';

const ENTRY = 'simulator/src/main.ts';
let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.cleanup();
});

describe('simulator process', () => {
  it('exits with code 78 naming SIM_DEVICES when it is not a number', async () => {
    const service = startService(ENTRY, { ...env.env, SIM_DEVICES: 'abc' }, ['--type', 'humidity']);
    expect(await service.exited).toBe(78);
    expect(service.output()).toContain('Invalid environment variable SIM_DEVICES: expected an integer from 1 to 200000, got "abc"');
  });

  it('exits with code 78 naming --type when no sensor type is given', async () => {
    const service = startService(ENTRY, env.env, ['--devices', '5']);
    expect(await service.exited).toBe(78);
    expect(service.output()).toContain('Missing --type (or environment variable SIM_TYPE)');
  });

  it('exits with code 64 and the usage on an unknown flag', async () => {
    const service = startService(ENTRY, env.env, ['--type', 'humidity', '--colour', 'red']);
    expect(await service.exited).toBe(64);
    expect(service.output()).toContain("Unknown option '--colour'");
    expect(service.output()).toContain('Usage: npm run simulator');
  });

  it('creates the stream on an empty server, publishes, and on SIGTERM waits for its acks and exits 0', async () => {
    const jsm = await jetstreamManager(env.nc);
    await jsm.streams.delete(env.names.stream);
    const service = startService(ENTRY, { ...env.env, LOG_LEVEL: 'info' }, ['--type', 'light', '--devices', '20', '--seed', '3', '--benchmark-interval-ms', '100']);
    await waitFor(async () => (await jsm.streams.info(env.names.stream)).state.messages >= 200, '200 readings in the stream');
    expect(await service.kill('SIGTERM')).toBe(0);

    const logs = service.output().split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logs.find((l) => l.msg === 'simulator started')).toMatchObject({ seed: 3, sensorType: 'light', devices: 20, intervalMs: 100 });
    const stopped = logs.find((l) => l.msg === 'simulator stopped; every reading acked') as { stats: { published: number; generated: number } } | undefined;
    expect(stopped).toBeDefined();
    expect(stopped?.stats.published).toBe(stopped?.stats.generated);
    expect((await jsm.streams.info(env.names.stream)).state.messages).toBe(stopped?.stats.published);
  });
});
