/**
 * Real projector and simulator processes (issue #7, items 1 and 6): /metrics and /readyz on their
 * own port, and SIGTERM — the projector finishes and acks the batch in hand (its checkpoint is the
 * consumer's ack floor; a restart applies only what follows), the simulator stops measuring and
 * waits for its acks (its counters match the stream). Both exit 0.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECTOR_CONSUMER } from '../../schema/src/index.ts';
import { readCheckpoint } from '../../projector/src/checkpoint.ts';
import { checkpointName } from '../../projector/src/projector.ts';
import { createTestEnv, type TestEnv } from '../support/env.ts';
import { publishRaw, reading } from '../support/events.ts';
import { sampleValue, scrape } from '../support/metrics.ts';
import { freePort, startService, waitFor, type ServiceProcess } from '../support/processes.ts';
import { startProjector } from '../support/projector.ts';
import { publishEvent } from '../../schema/src/publish.ts';

describe('projector and simulator processes', () => {
  let env: TestEnv;
  const started: ServiceProcess[] = [];

  beforeAll(async () => {
    env = await createTestEnv();
  });
  afterAll(async () => {
    for (const service of started) await service.kill('SIGKILL');
    await env?.cleanup();
  });

  it('projector: serves metrics and readiness, and on SIGTERM commits and acks the batch in hand and exits 0', async () => {
    const js = jetstream(env.nc);
    const jsm = await jetstreamManager(env.nc);
    await publishRaw(js, `${env.names.prefix}.reading.humidity.A.1`, '{not json');
    const total = 12_000;
    // Published in the background, 500 awaiting their ack at a time, while the projector works.
    const publishing = (async () => {
      for (let from = 0; from < total; from += 500) {
        await Promise.all(Array.from({ length: 500 }, (_, i) => publishEvent(js, env.names.prefix, reading({ deviceCode: 'PRJ', deviceNumber: 1 + ((from + i) % 50), seq: from + i + 1 }))));
      }
    })();
    const port = await freePort();
    const projector = startService('projector/src/main.ts', { ...env.env, LOG_LEVEL: 'info', PROJECTOR_BATCH_SIZE: '250', PROJECTOR_METRICS_PORT: String(port) });
    started.push(projector);
    const base = `http://127.0.0.1:${port}`;
    const text = await waitFor(async () => {
      const t = await scrape(base);
      return (sampleValue(t, 'sensors_projector_checkpoint_sequence') ?? 0) > 1000 ? t : undefined;
    }, 'the projector to make progress', 30_000, 100);
    expect(sampleValue(text, 'sensors_projector_dead_letters_total', { reason: 'malformed_json' })).toBe(1);
    expect(sampleValue(text, 'sensors_projector_batch_duration_seconds_count')).toBeGreaterThan(0);
    expect(sampleValue(text, 'sensors_projector_readings_total')).toBeGreaterThan(0);
    expect(sampleValue(text, 'sensors_projector_leader')).toBe(1);
    const head = sampleValue(text, 'sensors_stream_head_sequence')!;
    const checkpoint = sampleValue(text, 'sensors_projector_checkpoint_sequence')!;
    expect(sampleValue(text, 'sensors_projector_lag_events')).toBe(head - checkpoint);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', nats: 'ok', projector: 'ok' } });

    expect(await projector.kill('SIGTERM')).toBe(0);
    const stopped = await readCheckpoint(env.db, checkpointName(env.names));
    const consumer = await jsm.consumers.info(env.names.stream, PROJECTOR_CONSUMER);
    expect(consumer.ack_floor.stream_seq).toBe(stopped);
    const rows = await env.db.query<{ n: number; max: number | null }>('SELECT count(*)::int AS n, max(id)::int AS max FROM readings');
    // Everything up to the checkpoint is in, nothing after it: sequence 1 was the dead letter.
    expect(rows.rows[0]).toEqual({ n: stopped - 1, max: stopped });
    expect(projector.output()).toContain('"msg":"projector stopped"');

    await publishing;
    const last = (await jsm.streams.info(env.names.stream)).state.last_seq;
    expect(stopped).toBeLessThan(last);
    const resumed = startProjector(env, 1000);
    try {
      await resumed.waitFor(last, 30_000);
      expect(resumed.stats().applied).toBe(last - stopped);
    } finally {
      await resumed.stop();
    }
    const after = await env.db.query<{ n: number; ids: number }>('SELECT count(*)::int AS n, count(DISTINCT id)::int AS ids FROM readings');
    expect(after.rows[0]).toEqual({ n: total, ids: total });
  }, 90_000);

  it('simulator: serves its publish counts at /metrics and readiness, and exits 0 on SIGTERM with every reading acked', async () => {
    const port = await freePort();
    const simulator = startService('simulator/src/main.ts', { ...env.env, LOG_LEVEL: 'info', SIMULATOR_METRICS_PORT: String(port) }, [
      '--type', 'co2', '--devices', '50', '--seed', '7', '--benchmark-interval-ms', '50',
    ]);
    started.push(simulator);
    const base = `http://127.0.0.1:${port}`;
    const text = await waitFor(async () => {
      const t = await scrape(base);
      return (sampleValue(t, 'sensors_simulator_published_total', { sensor_type: 'co2' }) ?? 0) >= 300 ? t : undefined;
    }, 'the simulator to publish', 30_000, 100);
    expect(sampleValue(text, 'sensors_simulator_publish_errors_total', { sensor_type: 'co2' })).toBe(0);
    expect(sampleValue(text, 'sensors_simulator_devices', { sensor_type: 'co2' })).toBe(50);
    expect(sampleValue(text, 'sensors_simulator_running', { sensor_type: 'co2' })).toBe(1);
    expect(sampleValue(text, 'sensors_simulator_readings_generated_total', { sensor_type: 'co2' })).toBeGreaterThanOrEqual(300);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    expect(await simulator.kill('SIGTERM')).toBe(0);
    const logs = simulator.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; metricsPort?: number; stats?: { published: number; generated: number } });
    expect(logs.find((l) => l.metricsPort !== undefined)?.metricsPort).toBe(port);
    const stopped = logs.find((l) => l.msg === 'simulator stopped; every reading acked');
    expect(stopped?.stats?.published).toBe(stopped?.stats?.generated);
    const jsm = await jetstreamManager(env.nc);
    const stored = await jsm.streams.info(env.names.stream, { subjects_filter: `${env.names.prefix}.reading.co2.>` });
    expect(Object.values(stored.state.subjects ?? {}).reduce((a, b) => a + b, 0)).toBe(stopped?.stats?.published);
  }, 60_000);
});
