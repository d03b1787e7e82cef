import { ServiceError, Svcm, type ServiceInfo } from '@nats-io/services';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SIMULATOR_SERVICE_NAME,
  simulatorStatusSchema,
  simulatorSubjects,
  type SimulatorEndpoint,
  type SimulatorStatus,
} from '../../schema/src/simulator-control.ts';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { startService, waitFor } from '../../test/support/processes.ts';
import { serveControl } from './control.ts';
import { createRng } from './random.ts';
import { buildSimulator, type Simulator } from './simulator.ts';

let env: TestEnv;
/** The simulators' own connection, as a simulator process has. */
let simulatorNc: NatsConnection;
const running: Simulator[] = [];

beforeAll(async () => {
  env = await createTestEnv();
  simulatorNc = await connect({ servers: env.natsUrl });
});
afterAll(async () => {
  for (const simulator of running) await simulator.stop(5000);
  await simulatorNc?.close();
  await env?.cleanup();
});

/** A simulator measuring every `intervalMs` (fast, for the test), controllable over NATS. */
async function controlledSimulator(simulatorId: string, options: { intervalMs?: number; allowFastIntervals?: boolean } = {}): Promise<Simulator> {
  const simulator = buildSimulator(
    {
      simulatorId,
      sensorType: 'humidity',
      devices: 20,
      intervalMs: options.intervalMs ?? 200,
      subjectPrefix: env.names.prefix,
      maxInFlight: 64,
      maxQueued: 10_000,
      ackTimeoutMs: 5000,
      tickMs: 20,
    },
    { nc: simulatorNc, clock: Date.now, rng: createRng(5) },
  );
  running.push(simulator);
  simulator.start();
  await serveControl(simulatorNc, simulator, {
    subjectPrefix: env.names.prefix,
    stream: env.names.stream,
    allowFastIntervals: options.allowFastIntervals ?? false,
    clock: Date.now,
  });
  return simulator;
}

/** Calls an endpoint as any NATS client would; a service error is thrown as a ServiceError. */
async function call(simulatorId: string, endpoint: SimulatorEndpoint, body?: unknown): Promise<SimulatorStatus> {
  const subject = simulatorSubjects.endpoint(env.names.prefix, simulatorId, endpoint);
  const reply = await env.nc.request(subject, body === undefined ? '' : JSON.stringify(body), { timeout: 2000 });
  const error = ServiceError.toServiceError(reply);
  if (error) throw error;
  return simulatorStatusSchema.parse(reply.json());
}

async function serviceError(promise: Promise<unknown>): Promise<{ code: number; message: string }> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ServiceError);
  return { code: (error as ServiceError).code, message: (error as ServiceError).message };
}

/** Every sensor-simulator instance that answers discovery, from this test's prefix. */
async function discovered(): Promise<ServiceInfo[]> {
  const found: ServiceInfo[] = [];
  for await (const info of await new Svcm(env.nc).client({ strategy: 'stall', maxWait: 2000 }).info(SIMULATOR_SERVICE_NAME)) {
    if (info.metadata?.subjectPrefix === env.names.prefix) found.push(info);
  }
  return found;
}

async function publishedAfterAcks(simulatorId: string): Promise<number> {
  const status = await waitFor(async () => {
    const s = await call(simulatorId, 'status');
    return s.inFlight === 0 ? s : undefined;
  }, 'every in-flight reading acked');
  return status.published;
}

describe('simulator control service', () => {
  it('answers status with the instance, its interval and its counters', async () => {
    const startedBefore = Date.now();
    await controlledSimulator('sim-humidity-status');
    await waitFor(async () => (await call('sim-humidity-status', 'status')).published >= 40, '40 readings published');
    const status = await call('sim-humidity-status', 'status');
    expect(status).toMatchObject({ id: 'sim-humidity-status', sensorType: 'humidity', devices: 20, intervalSeconds: 0.2, running: true, sleeping: 0, awaitingTarget: 0, lastError: null });
    expect(status.inFlight).toBeGreaterThanOrEqual(0);
    // A tick that runs more than an interval late (a loaded machine) skips what fell due meanwhile, and says so.
    expect(Number.isInteger(status.skipped) && status.skipped >= 0).toBe(true);
    expect(Date.parse(status.startedAt)).toBeGreaterThanOrEqual(startedBefore - 1000);
    expect(Date.parse(status.startedAt)).toBeLessThanOrEqual(Date.now());
  });

  it('is discoverable through $SRV.INFO with its metadata and an endpoint subject per action under the subject prefix', async () => {
    await controlledSimulator('sim-humidity-found');
    const info = (await discovered()).find((i) => i.metadata?.simulatorId === 'sim-humidity-found');
    expect(info).toMatchObject({
      name: 'sensor-simulator',
      version: '1.0.0',
      metadata: { simulatorId: 'sim-humidity-found', sensorType: 'humidity', devices: '20', stream: env.names.stream, subjectPrefix: env.names.prefix },
    });
    expect(info?.endpoints.map((e) => [e.name, e.subject]).sort()).toEqual(
      (['interval', 'start', 'status', 'stop'] as const).map((name) => [name, `${env.names.prefix}.sim.sim-humidity-found.${name}`]),
    );
  });

  it('answers $SRV.PING and $SRV.STATS, whose stats count the requests and refusals of each endpoint', async () => {
    await controlledSimulator('sim-humidity-stats');
    const instance = (await discovered()).find((i) => i.metadata?.simulatorId === 'sim-humidity-stats')!;
    await call('sim-humidity-stats', 'status');
    await serviceError(call('sim-humidity-stats', 'interval', { seconds: 1 }));
    const client = new Svcm(env.nc).client({ strategy: 'stall', maxWait: 2000 });
    const pings = [];
    for await (const ping of await client.ping(SIMULATOR_SERVICE_NAME, instance.id)) pings.push(ping);
    expect(pings).toMatchObject([{ name: 'sensor-simulator', id: instance.id, metadata: { simulatorId: 'sim-humidity-stats' } }]);
    const stats = [];
    for await (const s of await client.stats(SIMULATOR_SERVICE_NAME, instance.id)) stats.push(s);
    const byEndpoint = Object.fromEntries((stats[0]?.endpoints ?? []).map((e) => [e.name, e]));
    expect(byEndpoint.status).toMatchObject({ num_requests: 1, num_errors: 0 });
    expect(byEndpoint.interval).toMatchObject({ num_requests: 1, num_errors: 1, last_error: 'interval must be at least 5 seconds' });
  });

  it('stops measuring on stop, lets the in-flight readings finish, and measures again on start', async () => {
    await controlledSimulator('sim-humidity-pause');
    await waitFor(async () => (await call('sim-humidity-pause', 'status')).published >= 40, '40 readings published');

    expect(await call('sim-humidity-pause', 'stop')).toMatchObject({ running: false });
    const whenStopped = await publishedAfterAcks('sim-humidity-pause');
    await new Promise((r) => setTimeout(r, 600));
    expect(await call('sim-humidity-pause', 'status')).toMatchObject({ running: false, published: whenStopped, inFlight: 0 });

    expect(await call('sim-humidity-pause', 'start')).toMatchObject({ running: true });
    await waitFor(async () => (await call('sim-humidity-pause', 'status')).published >= whenStopped + 40, '40 more readings after start');
  });

  it('refuses an interval below 5 seconds, a fraction or a malformed body with service error 400', async () => {
    await controlledSimulator('sim-humidity-bounds');
    expect(await serviceError(call('sim-humidity-bounds', 'interval', { seconds: 4 }))).toEqual({ code: 400, message: 'interval must be at least 5 seconds' });
    expect(await serviceError(call('sim-humidity-bounds', 'interval', { seconds: 7.5 }))).toEqual({ code: 400, message: 'interval must be a whole number of seconds' });
    expect(await serviceError(call('sim-humidity-bounds', 'interval', { seconds: 100_000 }))).toEqual({ code: 400, message: 'interval must be at most 86400 seconds' });
    expect(await serviceError(call('sim-humidity-bounds', 'interval', { second: 10 }))).toEqual({ code: 400, message: 'the request must be JSON: {"seconds": <n>}' });
    expect((await serviceError(call('sim-humidity-bounds', 'interval'))).code).toBe(400);
    expect((await call('sim-humidity-bounds', 'status')).intervalSeconds).toBe(0.2);
  });

  it('switches to a new interval at the next tick', async () => {
    await controlledSimulator('sim-humidity-slower');
    expect(await call('sim-humidity-slower', 'interval', { seconds: 10 })).toMatchObject({ intervalSeconds: 10, running: true });
    await new Promise((r) => setTimeout(r, 300));
    const before = await publishedAfterAcks('sim-humidity-slower');
    await new Promise((r) => setTimeout(r, 1500));
    // 20 devices every 10 s: about 3 readings in 1.5 s, where the old 0.2 s interval gave 150.
    expect((await call('sim-humidity-slower', 'status')).published - before).toBeLessThanOrEqual(6);
  });

  it('takes sub-second intervals only from an instance started with the benchmark interval', async () => {
    await controlledSimulator('sim-humidity-bench', { allowFastIntervals: true });
    expect(await call('sim-humidity-bench', 'interval', { seconds: 0.5 })).toMatchObject({ intervalSeconds: 0.5 });
    expect((await serviceError(call('sim-humidity-bench', 'interval', { seconds: 0 }))).code).toBe(400);
  });

  it('registers the simulator process as a service and leaves discovery when it shuts down', async () => {
    const service = startService('simulator/src/main.ts', env.env, ['--type', 'co2', '--devices', '5']);
    try {
      const info = await waitFor(async () => (await discovered()).find((i) => i.metadata?.sensorType === 'co2'), 'the co2 simulator in discovery');
      const id = info.metadata!.simulatorId!;
      expect(id).toMatch(/^sim-co2-[0-9a-f]{8}$/);
      expect(await call(id, 'status')).toMatchObject({ id, sensorType: 'co2', devices: 5, intervalSeconds: 5, running: true });
      expect(await service.kill('SIGTERM')).toBe(0);
      expect((await discovered()).map((i) => i.metadata?.simulatorId)).not.toContain(id);
    } finally {
      await service.kill('SIGKILL');
    }
  });
});
