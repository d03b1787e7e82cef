/**
 * Issue #7: the nats-server is restarted — killed (SIGKILL), then stopped in order
 * (SIGTERM) — on the same port and store while a simulator publishes, the projector
 * consumes and a client follows the live feed through the API. Every party resumes by
 * itself: the simulator stores every reading it counted once, the projector catches
 * up with nothing lost or doubled, and the live subscriber sees every reading of the
 * stream exactly once, in order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import WebSocket from 'ws';
import { followReadings, type LiveReading } from '../../sdk/index.ts';
import { login } from '../support/accounts.ts';
import { gqlClient } from '../support/bare-api.ts';
import { freePort, waitFor } from '../support/processes.ts';
import { startFaultServers, type FaultServers } from './support/servers.ts';
import {
  ADMIN, compareWithStream, expectedReadings, logLines, Processes, readingRows, readStreamEvents, startApiProcess, startProjectorProcess,
  startSimulatorProcess, streamHead, waitForCatchUp,
} from './support/stack.ts';

let servers: FaultServers;
const processes = new Processes();

beforeAll(async () => {
  servers = await startFaultServers({ nats: true, postgres: false });
});

afterAll(async () => {
  await processes.killAll();
  await servers?.destroy();
});

describe('nats-server restarts during ingest and live subscriptions', () => {
  it('has publishers, the projector and live subscribers resume by themselves, losing and repeating nothing', async () => {
    onTestFailed(() => console.log(processes.report(), { received: received.length, last: received.at(-1)?.sequence, interruptions: interruptions.map((i) => JSON.stringify(i)) }));
    const { env, nats } = servers;
    const server = nats!;
    const simulator = startSimulatorProcess(processes, env, { type: 'pressure', devices: 50, intervalMs: 50, seed: 23 });
    const projector = startProjectorProcess(processes, env, { PROJECTOR_BATCH_SIZE: '500' });
    const api = await startApiProcess(processes, env, await freePort());
    const gql = gqlClient(api.url);
    const token = (await login(gql, ADMIN.username, ADMIN.password)).accessToken;

    // From the start of the stream: the replay, then live, across both restarts.
    const received: LiveReading[] = [];
    const interruptions: unknown[] = [];
    const feed = followReadings(
      { url: api.url, credential: () => token, webSocketImpl: WebSocket, retryDelayMs: 200 },
      { afterSequence: '0' },
      { onReading: (r) => received.push(r), onInterrupted: (reason) => interruptions.push(reason) },
    );

    const restarts: { signal: NodeJS.Signals; headBefore: number }[] = [];
    for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
      const mark = received.length;
      await waitFor(() => received.length >= mark + 1000, 'live readings to flow', 30_000, 50);
      const headBefore = await streamHead(env.nc, env.names.stream);
      await server.stop(signal);
      await sleep(2000);
      await server.restart();
      restarts.push({ signal, headBefore });
      // Resumed: the simulator stores new readings, and they reach the live subscriber.
      await waitFor(async () => (await streamHead(env.nc, env.names.stream)) > headBefore + 1000, 'the simulator to publish again', 30_000, 100);
      await waitFor(() => Number(received.at(-1)?.sequence ?? 0) > headBefore + 1000, 'live readings after the restart', 30_000, 100);
    }

    // The API publishes again too: a batch recorded over HTTP is stored.
    const recorded = await gql<{ recordReadings: { accepted: number } }>(
      'mutation ($readings: [ReadingInput!]!) { recordReadings(readings: $readings, batchId: "after-nats-restart") { accepted } }',
      { readings: [{ sensorType: 'pressure', value: 1000, deviceCode: 'HTTP', deviceNumber: 1, timestamp: new Date().toISOString(), seq: 1 }] },
      token,
    );
    expect(recorded.errors).toBeUndefined();
    expect(recorded.data?.recordReadings.accepted).toBe(1);

    expect(await simulator.kill('SIGTERM')).toBe(0);
    const [stopped] = logLines(simulator, 'simulator stopped; every reading acked');
    const published = (stopped?.stats as { published: number } | undefined)?.published;
    const head = await waitForCatchUp(env, 60_000);
    await waitFor(() => Number(received.at(-1)?.sequence ?? 0) === head, 'the live subscriber to reach the stream head', 30_000, 100);
    await sleep(300);
    await feed.stop();
    expect([projector.child.exitCode, api.process.child.exitCode]).toEqual([null, null]);
    expect(await projector.kill('SIGTERM')).toBe(0);
    expect(await api.process.kill('SIGTERM')).toBe(0);

    const events = await readStreamEvents(env.nc, env.names.stream, env.names.prefix);
    const readingSequences = events.filter((e) => e.event.type === 'ReadingRecorded').map((e) => e.sequence);
    expect(readingSequences).toHaveLength(published! + 1);
    // The live subscriber: every reading of the stream, once, in stream order.
    expect(received.map((r) => Number(r.sequence))).toEqual(readingSequences);
    // The projector: the read model equals the stream.
    const expected = expectedReadings(events);
    expect(compareWithStream(expected, await readingRows(env.db))).toEqual({ lost: [], duplicated: [], extra: [], different: [], differentCount: 0, rows: expected.length });
    expect(restarts.map((r) => r.signal)).toEqual(['SIGKILL', 'SIGTERM']);
  });
});
