/**
 * Two API processes on one stream: a client on one sees what was caused through the
 * other, and a live feed on a process that is killed and restarted resumes by itself
 * from its last sequence without losing or repeating a reading.
 */
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { followReadings, type LiveReading } from '../../../sdk/index.ts';
import { FAST_ARGON2, startApiStack, TEST_JWT_SECRET, type ApiStack } from '../../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { publishEvents, reading } from '../../../test/support/events.ts';
import { collectWs, wsClient } from '../../../test/support/live.ts';
import { freePort, startService, waitFor, type ServiceProcess } from '../../../test/support/processes.ts';

let env: TestEnv;
let apiA: ApiStack;
let apiB: ServiceProcess | undefined;
let urlB: string;
let portB: number;
let token: string;

const startB = () =>
  startService('api/src/main.ts', { ...env.env, ...FAST_ARGON2, PORT: String(portB), JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: `/tmp/${env.id}-b` });
const healthy = () => waitFor(async () => (await fetch(`http://127.0.0.1:${portB}/healthz`)).ok, 'API B to answer', 30_000, 100);

beforeAll(async () => {
  env = await createTestEnv();
  apiA = await startApiStack(env);
  portB = await freePort();
  urlB = `http://127.0.0.1:${portB}/graphql`;
  apiB = startB();
  await healthy();
  const r = await apiA.gql<{ register: { accessToken: string } }>(`mutation { register(username: "admin", password: "password123") { accessToken } }`);
  token = r.data!.register.accessToken;
});

afterAll(async () => {
  await apiB?.kill('SIGTERM');
  await apiA?.stop();
  await env?.cleanup();
});

describe('two API processes', () => {
  it('delivers on one process the changes made through the other', async () => {
    const seqs = await publishEvents(jetstream(env.nc), env.names, [reading({ deviceCode: 'TW', value: 1 })]);
    await apiA.projector.waitFor(seqs[0]!, 5000);
    const client = wsClient(urlB, token);
    const changes = collectWs<{ readingsChanged: { kind: string; affected: number } }>(client, `subscription { readingsChanged(filter: { deviceCode: "TW" }) { kind affected } }`);
    await new Promise((r) => setTimeout(r, 500));
    const update = await apiA.gql(`mutation { updateReadings(filter: { deviceCode: "TW" }, changes: { value: 2 }) { affected } }`, {}, token);
    expect(update.data).toEqual({ updateReadings: { affected: 1 } });
    await waitFor(() => changes.items.length === 1, 'the change on API B', 5000);
    expect(changes.items[0]).toEqual({ readingsChanged: { kind: 'EDITED', affected: 1 } });
    await client.dispose();
  });

  it('resumes a live feed by itself after its API process is killed and restarted', async () => {
    const js = jetstream(env.nc);
    const got: LiveReading[] = [];
    const feed = followReadings({ url: urlB, credential: () => token, webSocketImpl: WebSocket, retryDelayMs: 200 }, { filter: { deviceCode: 'KR' } }, { onReading: (r) => got.push(r) });
    await new Promise((r) => setTimeout(r, 500));
    const before = await publishEvents(js, env.names, [1, 2].map((value) => reading({ deviceCode: 'KR', value })));
    await waitFor(() => got.length === 2, 'readings before the crash', 5000);

    await apiB!.kill('SIGKILL');
    const during = await publishEvents(js, env.names, [3, 4, 5].map((value) => reading({ deviceCode: 'KR', value })));
    apiB = startB();
    await healthy();
    await waitFor(() => got.length === 5, 'the readings published while API B was down', 20_000);
    const after = await publishEvents(js, env.names, [6].map((value) => reading({ deviceCode: 'KR', value })));
    await waitFor(() => got.length === 6, 'a live reading after the restart', 5000);
    await new Promise((r) => setTimeout(r, 300));
    await feed.stop();
    expect(got.map((r) => Number(r.sequence))).toEqual([...before, ...during, ...after]);
  });
});
