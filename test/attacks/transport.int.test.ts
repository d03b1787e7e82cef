/**
 * Abuse of the transports, each answered without harming other clients: a client holding a
 * live subscription keeps receiving readings through every attack below.
 * - Live connections: too many WebSockets and SSE streams from one address (429), and
 * - WebSocket: a message over
 *   64 KiB (closed with 1009), malformed graphql-ws messages (4400), protocol misuse
 *   (subscribe before connection_init 4401, a second connection_init 4429, none within 3 s 4408).
 * - HTTP: POST /graphql bodies over 1 MiB (413, declared or not) and without a length (411).
 *   REST's 413 is covered in api/src/rest/sensors.int.test.ts, 4403 for a bad token in
 *   api/src/live/live.int.test.ts.
 */
import { jetstream } from '@nats-io/jetstream';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MAX_BODY_BYTES } from '../../api/src/rest/input.ts';
import { WS_LIMITS } from '../../api/src/ws-server.ts';
import { register, type Account } from '../support/accounts.ts';
import { startBareApi, type BareApi } from '../support/bare-api.ts';
import { createTestEnv, type TestEnv } from '../support/env.ts';
import { publishEvents, reading } from '../support/events.ts';
import { collectWs, wsClient, type Collected } from '../support/live.ts';
import { waitFor } from '../support/processes.ts';
import { openEventStream, rawRequest, rawSocket, upgradeStatus, type RawSocket } from '../support/raw-http.ts';

const MAX_CONNECTIONS = 3;

let env: TestEnv;
let api: BareApi;
/** 127.0.0.1 rather than localhost: every socket from one address. */
let url: string;
let admin: Account;
let healthyClient: Client;
let healthy: Collected<{ readingRecorded: { value: number } }>;
let published = 0;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startBareApi(env, { MAX_LIVE_CONNECTIONS_PER_ADDRESS: String(MAX_CONNECTIONS) });
  url = api.url.replace('localhost', '127.0.0.1');
  admin = await register(api.gql, 'root');
  healthyClient = wsClient(url, admin.accessToken);
  healthy = collectWs(healthyClient, 'subscription { readingRecorded(filter: { deviceCode: "LIVE" }) { value } }');
  await stillReceiving();
});

afterAll(async () => {
  healthy?.stop();
  await healthyClient?.dispose();
  await api?.stop();
  await env?.cleanup();
});

/** Publishes one more reading and waits until the healthy subscriber has it. */
async function stillReceiving(): Promise<void> {
  const value = ++published;
  const deadline = Date.now() + 10_000;
  // The first subscription may still be starting: publish again until one arrives.
  while (!healthy.items.some((i) => i.readingRecorded.value === value)) {
    if (Date.now() > deadline) throw new Error(`the healthy subscriber did not get reading ${value}`);
    await publishEvents(jetstream(env.nc), env.names, [reading({ deviceCode: 'LIVE', value })]);
    await waitFor(() => healthy.items.some((i) => i.readingRecorded.value === value), `reading ${value}`, 1000, 20).catch(() => undefined);
  }
  expect(healthy.errors).toEqual([]);
}

/** An open socket past connection_init, acknowledged. */
async function initialised(): Promise<RawSocket> {
  const raw = await rawSocket(url);
  raw.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${admin.accessToken}` } }));
  await waitFor(() => raw.messages.some((m) => m.includes('connection_ack')), 'connection_ack', 5000);
  return raw;
}

describe('live connections per client address', () => {
  it(`refuses connection ${MAX_CONNECTIONS + 1} from one address with 429, while the open ones keep working, and takes it once one closes`, async () => {
    const others = [await initialised(), await initialised()];
    expect(await upgradeStatus(url)).toBe(429);
    await stillReceiving();
    others[0]!.socket.close();
    await others[0]!.closed;
    await waitFor(async () => (await upgradeStatus(url)) === 101, 'a connection to be taken again', 5000, 50);
    others[1]!.socket.close();
    await others[1]!.closed;
  });

  it('counts SSE streams with WebSockets: past the cap the next of either is answered 429', async () => {
    const SUBSCRIPTION = 'subscription { readingRecorded(filter: { deviceCode: "SSE" }) { value } }';
    const streams = [await openEventStream(url, admin.accessToken, SUBSCRIPTION), await openEventStream(url, admin.accessToken, SUBSCRIPTION)];
    expect(streams.map((s) => s.status)).toEqual([200, 200]);
    expect(await upgradeStatus(url)).toBe(429);
    const refused = await rawRequest(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${admin.accessToken}` },
      body: JSON.stringify({ query: SUBSCRIPTION }),
    });
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.body).errors[0].message).toBe('too many live connections (WebSocket and SSE) from this address');
    await stillReceiving();
    for (const stream of streams) stream.close();
    await waitFor(async () => (await upgradeStatus(url)) === 101, 'the cap to free up', 5000, 50);
  });
});

describe('WebSocket messages', () => {
  it(`closes a socket that sends a message over ${WS_LIMITS.maxPayloadBytes} bytes with 1009, and only that one, printing nothing to stderr`, async () => {
    const stderr = vi.spyOn(console, 'error');
    try {
      const raw = await initialised();
      raw.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `{ __typename }`, variables: { pad: 'x'.repeat(WS_LIMITS.maxPayloadBytes) } } }));
      expect((await raw.closed).code).toBe(1009);
      await stillReceiving();
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
    }
  });

  it('answers a message just under the limit', async () => {
    const raw = await initialised();
    const padding = 'x'.repeat(WS_LIMITS.maxPayloadBytes - 200);
    raw.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ __typename }', variables: { padding } } }));
    await waitFor(() => raw.messages.some((m) => m.includes('"__typename":"Query"')), 'the answer', 5000);
    raw.socket.close();
    await raw.closed;
  });

  const malformed: [string, string][] = [
    ['text that is not JSON', 'this is not json {'],
    ['a JSON array', '[1, 2, 3]'],
    ['a message of an unknown type', JSON.stringify({ type: 'gimme_everything' })],
    ['a subscribe without an id', JSON.stringify({ type: 'subscribe', payload: { query: '{ __typename }' } })],
    ['a subscribe without a query', JSON.stringify({ id: '1', type: 'subscribe', payload: { variables: {} } })],
  ];
  for (const [what, message] of malformed) {
    it(`closes a socket that sends ${what} with 4400`, async () => {
      const raw = await initialised();
      raw.socket.send(message);
      expect((await raw.closed).code).toBe(4400);
      await stillReceiving();
    });
  }

  it('closes a socket that subscribes before connection_init with 4401, and one that initialises twice with 4429', async () => {
    const early = await rawSocket(url);
    early.socket.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { readingRecorded { value } }' } }));
    expect((await early.closed).code).toBe(4401);
    const twice = await initialised();
    twice.socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${admin.accessToken}` } }));
    expect((await twice.closed).code).toBe(4429);
    await stillReceiving();
  });
});

describe('idle WebSockets', () => {
  it(`closes a socket that sends no connection_init within ${WS_LIMITS.connectionInitWaitTimeoutMs} ms with 4408`, async () => {
    const idle = await rawSocket(url);
    const opened = Date.now();
    expect((await idle.closed).code).toBe(4408);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(WS_LIMITS.connectionInitWaitTimeoutMs - 100);
    await stillReceiving();
  });
});

describe('HTTP bodies of POST /graphql', () => {
  const post = (body: string | string[], headers: Record<string, string> = {}) =>
    rawRequest(api.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const query = (padding: number) => JSON.stringify({ query: 'query ($p: String!) { __type(name: $p) { name } }', variables: { p: 'x'.repeat(padding) } });

  it('answers a body just under 1 MiB', async () => {
    const response = await post(query(MAX_BODY_BYTES - 200));
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ data: { __type: null } });
  });

  it('refuses a body over 1 MiB with 413, and a streamed one without a length with 411, serving others meanwhile', async () => {
    const [declared, others] = await Promise.all([post(query(2 * MAX_BODY_BYTES)), api.gql('{ __typename }')]);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).errors[0].message).toBe(`request body too large: the limit is ${MAX_BODY_BYTES} bytes (1 MiB)`);
    expect(others.data).toEqual({ __typename: 'Query' });
    const chunked = await post(['{"query": "{ __typename }", "variables": {"p": "', 'x'.repeat(64 * 1024), '"}}']);
    expect(chunked.status).toBe(411);
    expect(JSON.parse(chunked.body).errors[0].message).toBe('POST /graphql needs a Content-Length');
    await stillReceiving();
  });
});
