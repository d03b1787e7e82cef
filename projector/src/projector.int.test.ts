import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjects } from '../../schema/src/subjects.ts';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { change, iso, publishEvents, publishRaw, reading, T0 } from '../../test/support/events.ts';
import type { Projector } from './projector.ts';
import { startProjector } from '../../test/support/projector.ts';

let env: TestEnv;
let projector: Projector;

beforeAll(async () => {
  env = await createTestEnv();
  projector = startProjector(env, 500);
});

afterAll(async () => {
  await projector?.stop();
  await env?.cleanup();
});

async function rows(where = 'true') {
  const result = await env.db.query(`SELECT id::int, sensor_type, value, device_code, device_number, deleted_by, version FROM readings WHERE ${where} ORDER BY id`);
  return result.rows;
}

describe('the readings projector', () => {
  it('projects recorded readings with their stream sequence as id', async () => {
    const js = jetstream(env.nc);
    const seqs = await publishEvents(js, env.names, [reading({ deviceCode: 'PA', value: 1 }), reading({ deviceCode: 'PA', value: 2 })]);
    await projector.waitFor(seqs.at(-1)!, 10_000);
    expect(await rows(`device_code = 'PA'`)).toEqual([
      expect.objectContaining({ id: seqs[0], value: 1, sensor_type: 'temperature', device_number: 1 }),
      expect.objectContaining({ id: seqs[1], value: 2 }),
    ]);
  });

  it('applies a change only to readings recorded before it in the stream', async () => {
    const js = jetstream(env.nc);
    const seqs = await publishEvents(js, env.names, [
      reading({ deviceCode: 'CH', value: 10 }),
      change('ReadingsEdited', { deviceCode: 'CH' }, { changes: { value: 0 }, commandId: 'edit-ch-1' }),
      reading({ deviceCode: 'CH', value: 11 }),
      change('ReadingsDeleted', { deviceCode: 'CH', to: iso(T0) }, { commandId: 'delete-ch-1', actor: 'root' }),
    ]);
    await projector.waitFor(seqs.at(-1)!, 10_000);
    expect(await rows(`device_code = 'CH'`)).toEqual([
      expect.objectContaining({ id: seqs[0], value: 0, version: 1, deleted_by: 'root' }),
      expect.objectContaining({ id: seqs[2], value: 11, version: 0, deleted_by: 'root' }),
    ]);
    const results = await env.db.query(`SELECT command_id, affected FROM change_results WHERE command_id LIKE '%-ch-1' ORDER BY command_id`);
    expect(results.rows).toEqual([
      { command_id: 'delete-ch-1', affected: 2 },
      { command_id: 'edit-ch-1', affected: 1 },
    ]);
  });

  it('dead-letters a malformed event and projects the readings around it', async () => {
    const js = jetstream(env.nc);
    const [before] = await publishEvents(js, env.names, [reading({ deviceCode: 'DL', value: 5 })]);
    const bad = await publishRaw(js, subjects.reading(env.names.prefix, 'temperature', 'DL', 1), '{not json');
    const [after] = await publishEvents(js, env.names, [reading({ deviceCode: 'DL', value: 6 })]);
    await projector.waitFor(after!, 10_000);
    expect((await rows(`device_code = 'DL'`)).map((r) => r.id)).toEqual([before, after]);
    expect(bad).toBeGreaterThan(before!);
    expect(projector.stats().deadLetters.malformed_json).toBe(1);
  });
});
