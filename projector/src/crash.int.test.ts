/**
 * Fault test: the projector process is killed with SIGKILL at random moments while
 * readings pour in, ten times, and restarted each time. Afterwards every published
 * reading must be in Postgres exactly once, and the tables must equal a fresh rebuild.
 */
import { jetstream, jetstreamManager, type PubAck } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { reading, subjectOf, T0 } from '../../test/support/events.ts';
import { startService, waitFor, type ServiceProcess } from '../../test/support/processes.ts';
import { readCheckpoint } from './checkpoint.ts';
import { checkpointName } from './projector.ts';
import { readModelChecksum } from './readings/checksum.ts';
import { LIVE_TABLES } from './readings/tables.ts';
import { rebuildReadModels } from './rebuild/rebuild.ts';

let env: TestEnv;
let projector: ServiceProcess | undefined;

beforeAll(async () => {
  env = await createTestEnv();
});

afterAll(async () => {
  await projector?.kill('SIGKILL');
  await env?.cleanup();
});

const startProjector = () => startService('projector/src/main.ts', { ...env.env, PROJECTOR_BATCH_SIZE: '150' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Publishes `total` readings with a bounded window of outstanding acks; resolves with the acked sequences. */
async function publishReadings(total: number): Promise<number[]> {
  const js = jetstream(env.nc);
  const acked: number[] = [];
  const window = new Set<Promise<PubAck>>();
  for (let i = 0; i < total; i++) {
    const event = reading({ deviceCode: 'K', deviceNumber: 1 + (i % 50), value: i % 100, at: T0 + i, seq: 1 + Math.floor(i / 50) });
    const p = js.publish(subjectOf(env.names, event), JSON.stringify(event), { msgID: event.id });
    window.add(p);
    void p.then((ack) => acked.push(ack.seq)).finally(() => window.delete(p));
    if (window.size >= 64) await Promise.race(window);
    if (i % 500 === 499) await sleep(100); // ~5k/s: slow enough that the kills land mid-stream
  }
  await Promise.all(window);
  return acked;
}

describe('projector crashes', () => {
  it('loses and duplicates nothing when SIGKILLed mid-batch ten times', async () => {
    const publishing = publishReadings(20_000);
    projector = startProjector();
    const checkpoints: number[] = [];
    let last = 0;
    for (let kill = 0; kill < 10; kill++) {
      // Kill only once this incarnation is projecting, at a random moment inside its work.
      last = await waitFor(async () => {
        const now = await readCheckpoint(env.db, checkpointName(env.names));
        return now > last && now;
      }, 'the restarted projector to make progress', 30_000, 20);
      await sleep(Math.random() * 150);
      await projector.kill('SIGKILL');
      checkpoints.push(await readCheckpoint(env.db, checkpointName(env.names)));
      projector = startProjector();
    }
    const acked = await publishing;
    const head = (await (await jetstreamManager(env.nc)).streams.info(env.names.stream)).state.last_seq;
    await waitFor(async () => (await readCheckpoint(env.db, checkpointName(env.names))) === head, 'the projector to catch up', 60_000, 200);
    await projector.kill('SIGTERM');

    // Every kill hit a projector that was working through the stream, not an idle one.
    expect(checkpoints.every((c) => c > 0 && c < head)).toBe(true);
    expect(acked).toHaveLength(20_000);
    const stats = await env.db.query(`SELECT count(*)::int AS n, count(DISTINCT id)::int AS distinct_ids, sum(id)::text AS sum, min(id)::int AS min, max(id)::int AS max FROM readings`);
    expect(stats.rows[0]).toEqual({
      n: acked.length,
      distinct_ids: acked.length,
      sum: String(acked.reduce((a, b) => a + b, 0)),
      min: Math.min(...acked),
      max: Math.max(...acked),
    });
    const live = await readModelChecksum(env.db, LIVE_TABLES);
    const rebuilt = await rebuildReadModels({ databaseUrl: env.databaseUrl, names: env.names, batchSize: 5000, maxFutureMs: 300_000 }, { nc: env.nc });
    expect(rebuilt.checksum).toBe(live);
  }, 120_000);
});
