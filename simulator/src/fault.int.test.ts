import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStreams } from '../../schema/src/stream.ts';
import { streamNames } from '../../schema/src/subjects.ts';
import { PrivateNatsServer, waitFor } from '../../test/support/processes.ts';
import { createRng } from './random.ts';
import { buildSimulator } from './simulator.ts';
import { oneTo, readStream, seqsByDevice } from './testing/read-stream.ts';

const names = streamNames('FAULT', 'fault');
let server: PrivateNatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await PrivateNatsServer.start();
  nc = await connect({ servers: server.url, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  await ensureStreams(await jetstreamManager(nc), names);
});
afterAll(async () => {
  await nc?.close();
  await server?.destroy();
});

describe('simulator through a nats-server crash', () => {
  it('stores every reading it counted as acked exactly once, with no seq gaps, across a SIGKILL and restart of the server', async () => {
    const acks = new Map<string, number>();
    const simulator = buildSimulator(
      {
        simulatorId: 'sim-temperature-fault',
        sensorType: 'temperature',
        devices: 2000,
        intervalMs: 500, // 4,000 readings/s
        subjectPrefix: names.prefix,
        maxInFlight: 256,
        maxQueued: 1024,
        ackTimeoutMs: 1500,
        tickMs: 50,
      },
      { nc, clock: Date.now, rng: createRng(5), onAck: (id) => acks.set(id, (acks.get(id) ?? 0) + 1) },
    );
    simulator.start();
    // Kill while publishes are outstanding, so some may be stored without their ack reaching us.
    await waitFor(() => simulator.stats().published >= 8000 && simulator.stats().inFlight > 0, '8000 acked readings and some in flight', 20_000, 1);

    await server.stop('SIGKILL');
    const atCrash = simulator.stats();
    await sleep(1500);
    await server.restart();
    await waitFor(() => simulator.stats().published >= atCrash.generated + 8000, 'publishing to resume after the restart', 30_000);
    expect(await simulator.stop(15_000)).toBe(true);

    const stats = simulator.stats();
    // The crash was felt: publishes failed and were retried; devices skipped while the window was full.
    expect(stats.errors).toBeGreaterThan(0);
    expect(stats.retries).toBeGreaterThan(0);
    expect(stats.skipped).toBeGreaterThan(0);
    expect(stats).toMatchObject({ inFlight: 0, queued: 0, published: stats.generated });
    expect([...acks.values()].filter((n) => n !== 1)).toEqual([]);

    const stored = await readStream(nc, names.stream);
    const storedIds = stored.map((r) => r.event.id);
    expect(storedIds.length - new Set(storedIds).size).toBe(0);
    expect(storedIds.sort()).toEqual([...acks.keys()].sort());
    const byDevice = seqsByDevice(stored);
    expect(byDevice.size).toBe(2000);
    const gaps = [...byDevice].filter(([, seqs]) => seqs.join() !== oneTo(seqs.length).join());
    expect(gaps).toEqual([]);
  });
});
