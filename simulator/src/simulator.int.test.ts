import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENSOR_RANGES } from '../../schema/src/sensors.ts';
import { ensureStreams } from '../../schema/src/stream.ts';
import { streamNames, subjects } from '../../schema/src/subjects.ts';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { waitFor } from '../../test/support/processes.ts';
import { createRng } from './random.ts';
import { buildSimulator, type SimulatorConfig, type SimulatorDeps } from './simulator.ts';
import { oneTo, readStream, seqsByDevice } from './testing/read-stream.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.cleanup();
});

function config(overrides: Partial<SimulatorConfig>): SimulatorConfig {
  return {
    simulatorId: 'sim-humidity-test',
    sensorType: 'humidity',
    devices: 50,
    intervalMs: 100,
    subjectPrefix: env.names.prefix,
    maxInFlight: 64,
    // Roomy, so that a busy test machine does not make devices skip outside the backpressure test.
    maxQueued: 10_000,
    ackTimeoutMs: 5000,
    tickMs: 20,
    ...overrides,
  };
}

function deps(acked: Set<string>, overrides: Partial<SimulatorDeps> = {}): SimulatorDeps {
  return { nc: env.nc, clock: Date.now, rng: createRng(11), onAck: (id) => acked.add(id), ...overrides };
}

describe('simulator against a JetStream stream', () => {
  it('publishes valid readings with per-device seqs 1..n, unique msg ids and event headers', async () => {
    const acked = new Set<string>();
    // Time moves one tick per tick, however late the timer fires on a busy machine: no slot is ever overdue.
    let now = Date.now();
    const steadyClock = () => (now += 20);
    const simulator = buildSimulator(config({ simulatorId: 'sim-humidity-aaaa', tickMs: 20 }), deps(acked, { clock: steadyClock }));
    simulator.start();
    await waitFor(() => simulator.stats().published >= 1000, '1000 acked readings');
    expect(await simulator.stop(10_000)).toBe(true);
    const stats = simulator.stats();
    expect(stats).toMatchObject({ running: false, inFlight: 0, queued: 0, errors: 0, retries: 0, skipped: 0, devices: 50, intervalMs: 100 });
    expect(stats.published).toBe(stats.generated);

    const stored = (await readStream(env.nc, env.names.stream)).filter((r) => r.event.id.startsWith('sim-humidity-aaaa.'));
    expect(stored).toHaveLength(stats.published);
    const ids = stored.map((r) => r.event.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(acked);
    const { typicalMin, typicalMax } = SENSOR_RANGES.humidity;
    for (const { subject, eventType, eventVersion, msgId, event } of stored) {
      expect(event).toMatchObject({ type: 'ReadingRecorded', version: 1, data: { sensorType: 'humidity' } });
      expect(subject).toBe(subjects.reading(env.names.prefix, 'humidity', event.data.deviceCode, event.data.deviceNumber));
      expect(event.id).toBe(`sim-humidity-aaaa.${event.data.deviceCode}.${event.data.deviceNumber}.${event.data.seq}`);
      expect([eventType, eventVersion, msgId]).toEqual(['ReadingRecorded', '1', event.id]);
      expect(event.data.value).toBeGreaterThanOrEqual(typicalMin);
      expect(event.data.value).toBeLessThanOrEqual(typicalMax);
      expect(Date.parse(event.data.timestamp)).toBeLessThanOrEqual(Date.parse(event.occurredAt));
    }
    const byDevice = seqsByDevice(stored);
    expect(byDevice.size).toBe(50);
    const counts = [...byDevice.values()].map((seqs) => seqs.length);
    // Every device measures once per interval, so no device is more than one reading ahead of another.
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    for (const seqs of byDevice.values()) expect(seqs).toEqual(oneTo(seqs.length));
  });

  it('carries on from the next seq after a stop and a start', async () => {
    const acked = new Set<string>();
    const simulator = buildSimulator(config({ simulatorId: 'sim-pressure-bbbb', sensorType: 'pressure', devices: 10 }), deps(acked));
    simulator.start();
    await waitFor(() => simulator.stats().published >= 100, '100 acked readings');
    expect(await simulator.stop()).toBe(true);
    const firstRun = simulator.stats().published;
    simulator.start();
    await waitFor(() => simulator.stats().published >= firstRun + 100, '100 more acked readings');
    expect(await simulator.stop()).toBe(true);

    const stored = (await readStream(env.nc, env.names.stream)).filter((r) => r.event.id.startsWith('sim-pressure-bbbb.'));
    expect(stored).toHaveLength(simulator.stats().published);
    for (const seqs of seqsByDevice(stored).values()) expect(seqs).toEqual(oneTo(seqs.length));
  });

  it('skips measurements instead of queueing without bound while nothing acks, and delivers the held readings once a stream appears', async () => {
    // No stream captures this prefix yet: every publish fails at once and is retried.
    const late = streamNames(`${env.names.stream}_LATE`, `${env.names.prefix}late`);
    const acked = new Set<string>();
    const simulator = buildSimulator(
      config({ simulatorId: 'sim-co2-cccc', sensorType: 'co2', devices: 200, subjectPrefix: late.prefix, maxInFlight: 16, maxQueued: 32 }),
      deps(acked),
    );
    const jsm = await jetstreamManager(env.nc);
    try {
      simulator.start();
      await waitFor(() => simulator.stats().skipped >= 500, '500 skipped measurements');
      const held = simulator.stats();
      expect(held.published).toBe(0);
      expect(held.inFlight).toBe(16);
      expect(held.queued).toBeLessThanOrEqual(32);
      expect(held.generated).toBe(held.inFlight + held.queued);
      expect(held.errors).toBeGreaterThan(0);
      expect(held.lastError).not.toBeNull();

      await ensureStreams(jsm, late);
      await waitFor(() => simulator.stats().published >= held.generated + 500, 'readings acked after the stream appeared');
      expect(await simulator.stop()).toBe(true);
      const stats = simulator.stats();
      expect(stats.published).toBe(stats.generated);
      expect(stats.retries).toBeGreaterThan(0);

      const stored = await readStream(env.nc, late.stream);
      expect(stored.map((r) => r.event.id).sort()).toEqual([...acked].sort());
      for (const seqs of seqsByDevice(stored).values()) expect(seqs).toEqual(oneTo(seqs.length));
    } finally {
      await simulator.stop(0);
      for (const stream of [late.stream, late.deadLetterStream, late.logStream]) await jsm.streams.delete(stream).catch(() => undefined);
    }
  });
});
