import { jetstream, type PubAck } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { followReadings, type LiveReading } from '../../../sdk/index.ts';
import { startApiStack, TEST_JWT_SECRET, type ApiStack } from '../../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { iso, publishEvents, reading, subjectOf, T0 } from '../../../test/support/events.ts';
import { collectSse, collectWs, wsClient } from '../../../test/support/live.ts';
import { waitFor } from '../../../test/support/processes.ts';
import { AccessTokens } from '../core/auth/access-tokens.ts';

let env: TestEnv;
let api: ApiStack;
let admin: string;
let user: string;
let userId: string;

const READINGS = `subscription($filter: ReadingFilter, $after: String) { readingRecorded(filter: $filter, afterSequence: $after) { id sequence deviceCode deviceNumber sensorType value } }`;
type Got = { readingRecorded: { sequence: string; deviceCode: string; value: number } };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function register(username: string) {
  const r = await api.gql<{ register: { accessToken: string; user: { id: string } } }>(
    `mutation($u: String!) { register(username: $u, password: "password123") { accessToken user { id } } }`,
    { u: username },
  );
  return r.data!.register;
}

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env);
  admin = (await register('admin')).accessToken;
  const u = await register('viewer');
  user = u.accessToken;
  userId = u.user.id;
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

describe('live readings', () => {
  it('sends matching readings over graphql-ws and SSE, and not others', async () => {
    const client = wsClient(api.url, user);
    const ws = collectWs<Got>(client, READINGS, { filter: { deviceCode: 'LV' } });
    const sse = collectSse<Got>(api.url, user, READINGS, { filter: { deviceCode: 'LV', deviceNumber: 2 } });
    await sleep(500);
    await publishEvents(jetstream(env.nc), env.names, [
      reading({ deviceCode: 'LV', deviceNumber: 1, value: 1 }),
      reading({ deviceCode: 'XX', deviceNumber: 2, value: 2 }),
      reading({ deviceCode: 'LV', deviceNumber: 2, value: 3 }),
      reading({ deviceCode: 'LV', deviceNumber: 2, sensorType: 'humidity', value: 4 }),
    ]);
    await waitFor(() => ws.items.length >= 3 && sse.items.length >= 2, 'live readings', 5000);
    await sleep(200);
    expect(ws.items.map((i) => i.readingRecorded.value)).toEqual([1, 3, 4]);
    expect(sse.items.map((i) => i.readingRecorded.value)).toEqual([3, 4]);
    expect([ws.errors, sse.errors]).toEqual([[], []]);
    ws.stop();
    sse.stop();
    await client.dispose();
  });

  it('replays every missed reading exactly once, in order, when a client resumes with afterSequence', async () => {
    const js = jetstream(env.nc);
    const got: LiveReading[] = [];
    const first = followReadings({ url: api.url, credential: () => user, webSocketImpl: WebSocket }, { filter: { deviceCode: 'RS' } }, { onReading: (r) => got.push(r) });
    await sleep(500);
    await publishEvents(js, env.names, [1, 2, 3].map((value) => reading({ deviceCode: 'RS', value })));
    await waitFor(() => got.length === 3, 'the first three readings', 5000);
    await first.stop();

    const missed = await publishEvents(js, env.names, [4, 5, 6, 7].map((value) => reading({ deviceCode: 'RS', value })));
    await publishEvents(js, env.names, [reading({ deviceCode: 'OTHER', value: 99 })]);
    const resumed = followReadings(
      { url: api.url, credential: () => user, webSocketImpl: WebSocket },
      { filter: { deviceCode: 'RS' }, afterSequence: first.lastSequence },
      { onReading: (r) => got.push(r) },
    );
    await waitFor(() => got.length === 7, 'the missed readings', 5000);
    const later = await publishEvents(js, env.names, [8, 9].map((value) => reading({ deviceCode: 'RS', value })));
    await waitFor(() => got.length === 9, 'live readings after the replay', 5000);
    await sleep(300);
    await resumed.stop();
    expect(got.map((r) => r.value)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(got.slice(3).map((r) => Number(r.sequence))).toEqual([...missed, ...later]);
  });

  it('closes the connection with 4403 for a missing or bad token', async () => {
    for (const token of [null, 'not-a-token']) {
      let closed: number | null = null;
      const client = wsClient(api.url, token, { onClose: (code) => (closed = code) });
      const sub = collectWs<Got>(client, READINGS);
      await sub.done;
      expect(closed).toBe(4403);
      await client.dispose();
    }
  });

  it('ends a subscription when its access token expires', async () => {
    const tokens = new AccessTokens({ secret: TEST_JWT_SECRET, issuer: 'sensor-platform', audience: 'sensor-platform-api', ttlSeconds: 2 });
    const { token } = await tokens.sign({ userId, role: 'user' }, Date.now());
    const client = wsClient(api.url, token);
    const sub = collectWs<Got>(client, READINGS, { filter: { deviceCode: 'EXP' } });
    await sleep(300);
    await publishEvents(jetstream(env.nc), env.names, [reading({ deviceCode: 'EXP', value: 1 })]);
    await waitFor(() => sub.items.length === 1, 'a reading before expiry', 5000);
    await Promise.race([sub.done, sleep(5000)]);
    expect(sub.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/access token expired/), extensions: expect.objectContaining({ code: 'UNAUTHENTICATED' }) })]);
    await client.dispose();
  });

  it('does not replay readings deleted since to a user, but does to an admin', async () => {
    const seqs = await publishEvents(jetstream(env.nc), env.names, [
      reading({ deviceCode: 'DEL', value: 1, at: T0 }),
      reading({ deviceCode: 'DEL', value: 2, at: T0 + 60_000 }),
    ]);
    await api.projector.waitFor(seqs[1]!, 5000);
    const deleted = await api.gql<{ deleteReadings: { affected: number } }>(
      `mutation($to: DateTime!) { deleteReadings(filter: { deviceCode: "DEL", to: $to }) { affected } }`,
      { to: iso(T0) },
      admin,
    );
    expect(deleted.data?.deleteReadings.affected).toBe(1);
    const replay = async (token: string) => {
      const client = wsClient(api.url, token);
      const sub = collectWs<Got>(client, READINGS, { filter: { deviceCode: 'DEL' }, after: String(seqs[0]! - 1) });
      await sleep(1000);
      sub.stop();
      await client.dispose();
      return sub.items.map((i) => i.readingRecorded.value);
    };
    expect(await replay(user)).toEqual([2]);
    expect(await replay(admin)).toEqual([1, 2]);
  });

  it('tells about applied changes to matching readings', async () => {
    const seqs = await publishEvents(jetstream(env.nc), env.names, [reading({ deviceCode: 'CHG', value: 1 })]);
    await api.projector.waitFor(seqs[0]!, 5000);
    const client = wsClient(api.url, user);
    const mine = collectWs<{ readingsChanged: { kind: string; affected: number; actor: string; changes: { value: number } } }>(
      client,
      `subscription { readingsChanged(filter: { deviceCode: "CHG" }) { kind affected actor changes { value } } }`,
    );
    const others = collectWs(client, `subscription { readingsChanged(filter: { deviceCode: "ELSEWHERE" }) { kind } }`);
    await sleep(500);
    await api.gql(`mutation { updateReadings(filter: { deviceCode: "CHG" }, changes: { value: 7 }) { affected } }`, {}, user);
    await waitFor(() => mine.items.length === 1, 'the change', 5000);
    expect(mine.items[0]!.readingsChanged).toEqual({ kind: 'EDITED', affected: 1, actor: 'viewer', changes: { value: 7 } });
    await sleep(200);
    expect(others.items).toEqual([]);
    await client.dispose();
  });
});

describe('slow clients', () => {
  it('cuts off a stalled client while a healthy one receives everything', async () => {
    const total = 30_000;
    const healthyClient = wsClient(api.url, user);
    const healthy = collectWs<Got>(healthyClient, READINGS, { filter: { deviceCode: 'SLOW' } });
    // A raw client that subscribes and then stops reading its socket.
    const stalled = new WebSocket(api.url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    const stalledMessages: string[] = [];
    stalled.on('message', (m) => stalledMessages.push(String(m)));
    await new Promise((r) => stalled.once('open', r));
    stalled.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${user}` } }));
    await waitFor(() => stalledMessages.some((m) => m.includes('connection_ack')), 'connection_ack', 5000);
    stalled.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: READINGS, variables: { filter: { deviceCode: 'SLOW' } } } }));
    await sleep(500);
    (stalled as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();

    const js = jetstream(env.nc);
    const window = new Set<Promise<PubAck>>();
    for (let i = 0; i < total; i++) {
      const event = reading({ deviceCode: 'SLOW', value: i % 100, seq: i + 1 });
      const p = js.publish(subjectOf(env.names, event), JSON.stringify(event), { msgID: event.id });
      window.add(p);
      void p.finally(() => window.delete(p));
      if (window.size >= 256) await Promise.race(window);
    }
    await Promise.all(window);
    await waitFor(() => healthy.items.length === total, `the healthy client to get all ${total}`, 60_000, 100);
    (stalled as unknown as { _socket: { resume(): void } })._socket.resume();
    await waitFor(() => stalledMessages.some((m) => m.includes('fell more than')), 'the stalled client to be told it was cut off', 10_000);
    const stalledNext = stalledMessages.filter((m) => m.includes('"type":"next"')).length;
    expect(stalledNext).toBeLessThan(total);
    expect(healthy.errors).toEqual([]);
    expect(new Set(healthy.items.map((i) => i.readingRecorded.sequence)).size).toBe(total);
    expect(api.app.services.live.dropped).toBeGreaterThanOrEqual(1);
    stalled.close();
    healthy.stop();
    await healthyClient.dispose();
  }, 120_000);
});
