import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedAtMs } from '../../schema/src/stored.ts';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { change, publishEvents, reading } from '../../test/support/events.ts';
import type { RawMessage } from './batch.ts';
import { readCheckpoint } from './checkpoint.ts';
import { projectBatch } from './project-batch.ts';
import { checkpointName } from './projector.ts';
import { readModelChecksum } from './readings/checksum.ts';
import { LIVE_TABLES } from './readings/tables.ts';
import { startProjector } from '../../test/support/projector.ts';

let env: TestEnv;

beforeAll(async () => {
  env = await createTestEnv();
});

afterAll(async () => {
  await env?.cleanup();
});

async function readStream(): Promise<RawMessage[]> {
  const consumer = await jetstream(env.nc).consumers.get(env.names.stream, { deliver_policy: DeliverPolicy.All });
  const info = await (await jetstreamManager(env.nc)).streams.info(env.names.stream);
  const out: RawMessage[] = [];
  const messages = await consumer.fetch({ max_messages: info.state.messages, expires: 5000 });
  for await (const m of messages) out.push({ sequence: m.seq, subject: m.subject, data: m.data, storedAtMs: storedAtMs(m.timestampNanos) });
  return out;
}

describe('redelivery', () => {
  it('changes nothing when an already-applied batch is delivered again', async () => {
    const sequences = await publishEvents(jetstream(env.nc), env.names, [
      reading({ deviceCode: 'RE', value: 1 }),
      reading({ deviceCode: 'RE', value: 2 }),
      change('ReadingsEdited', { deviceCode: 'RE' }, { changes: { value: 3 } }),
      change('ReadingsDeleted', { deviceCode: 'RE', deviceNumber: 1 }),
      reading({ deviceCode: 'RE', value: 4 }),
    ]);
    const projector = startProjector(env, 2);
    await projector.waitFor(sequences.at(-1)!, 10_000);
    await projector.stop();
    const before = await readModelChecksum(env.db, LIVE_TABLES);

    const client = new pg.Client({ connectionString: env.databaseUrl });
    await client.connect();
    try {
      const context = { names: env.names, checkpointName: checkpointName(env.names), maxFutureMs: 300_000, js: jetstream(env.nc), jsm: await jetstreamManager(env.nc) };
      const all = await readStream();
      expect(all).toHaveLength(5);
      const whole = await projectBatch(client, context, all);
      const tail = await projectBatch(client, context, all.slice(3));
      for (const outcome of [whole, tail]) {
        expect(outcome).toMatchObject({ recorded: 0, changes: [], deadLetters: [], missing: null, checkpoint: sequences.at(-1) });
      }
    } finally {
      await client.end();
    }
    expect(await readModelChecksum(env.db, LIVE_TABLES)).toBe(before);
    expect(await readCheckpoint(env.db, checkpointName(env.names))).toBe(sequences.at(-1));
    const rows = await env.db.query(`SELECT value, version, deleted_at IS NOT NULL AS deleted FROM readings ORDER BY id`);
    expect(rows.rows).toEqual([
      { value: 3, version: 1, deleted: true },
      { value: 3, version: 1, deleted: true },
      { value: 4, version: 0, deleted: false },
    ]);
  });
});
