import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStreams } from '../../../schema/src/stream.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { publishEvents, reading } from '../../../test/support/events.ts';
import { waitFor } from '../../../test/support/processes.ts';
import { readCheckpoint } from '../checkpoint.ts';
import { checkpointName, type Projector } from '../projector.ts';
import { rebuildReadModels } from './rebuild.ts';
import { startProjector } from '../../../test/support/projector.ts';

let env: TestEnv;
let projector: Projector;

beforeAll(async () => {
  env = await createTestEnv();
  projector = startProjector(env, 100);
});

afterAll(async () => {
  await projector?.stop();
  await env?.cleanup();
});

describe('a stream that was reset under the read model', () => {
  it('stops the projector with a message saying to rebuild, and a rebuild brings it back in step', async () => {
    const js = jetstream(env.nc);
    const old = await publishEvents(js, env.names, [1, 2, 3, 4, 5].map((value) => reading({ value })));
    await projector.waitFor(old.at(-1)!, 5000);

    const jsm = await jetstreamManager(env.nc);
    await jsm.streams.delete(env.names.stream);
    await ensureStreams(jsm, env.names);
    await publishEvents(js, env.names, [10, 11].map((value) => reading({ value })));
    await waitFor(() => /the stream was reset or replaced; run `npm run rebuild`/.test(projector.stats().lastError ?? ''), 'the projector to report the reset', 10_000);

    const result = await rebuildReadModels({ databaseUrl: env.databaseUrl, names: env.names, batchSize: 100, maxFutureMs: 300_000 }, { nc: env.nc });
    expect(result.checkpoint).toBe(2);
    expect(await readCheckpoint(env.db, checkpointName(env.names))).toBe(2);
    const [next] = await publishEvents(js, env.names, [reading({ value: 12 })]);
    expect(next).toBe(3);
    // The projector retries with back-off; once it has read the rebuilt checkpoint it carries on.
    await waitFor(async () => (await readCheckpoint(env.db, checkpointName(env.names))) === 3, 'the projector to carry on', 20_000, 100);
    const rows = await env.db.query('SELECT id::int, value FROM readings ORDER BY id');
    expect(rows.rows).toEqual([
      { id: 1, value: 10 },
      { id: 2, value: 11 },
      { id: 3, value: 12 },
    ]);
  });
});
