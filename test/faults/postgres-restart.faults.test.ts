/**
 * Issue #7: PostgreSQL fails under a running projector and API — first its connections
 * are killed with pg_terminate_backend, then the server crashes (`pg_ctl -m immediate
 * stop`) and comes back on the same port. Meanwhile the API answers with a clear,
 * retryable error (not a hang, not a stack trace), and afterwards both recover by
 * themselves: no process restarted, nothing lost or doubled.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { login } from '../support/accounts.ts';
import { gqlClient } from '../support/bare-api.ts';
import { freePort, waitFor } from '../support/processes.ts';
import { restClient } from '../support/rest.ts';
import { startFaultServers, type FaultServers } from './support/servers.ts';
import {
  ADMIN, checkpointOf, compareWithStream, expectedReadings, liveAndRebuiltChecksums, Processes, readingRows, readStreamEvents, startApiProcess,
  startProjectorProcess, startSimulatorProcess, streamHead, waitForCatchUp, type ApiProcess,
} from './support/stack.ts';

let servers: FaultServers;
const processes = new Processes();

beforeAll(async () => {
  servers = await startFaultServers({ nats: false, postgres: true });
});

afterAll(async () => {
  await processes.killAll();
  await servers?.destroy();
});

const READINGS_QUERY = 'query { readings(first: 1) { totalCount } }';

interface Answer {
  ms: number;
  status: number;
  code: string | null;
  message: string | null;
  totalCount: number | null;
}

/** Asks the API for the number of readings; a transport failure is an answer too (code TRANSPORT). */
async function ask(api: ApiProcess, token: string): Promise<Answer> {
  const started = performance.now();
  const gql = gqlClient(api.url);
  try {
    const response = await gql<{ readings: { totalCount: number } }>(READINGS_QUERY, {}, token);
    const error = response.errors?.[0];
    return {
      ms: performance.now() - started,
      status: response.status,
      code: (error?.extensions?.code as string | undefined) ?? null,
      message: error?.message ?? null,
      totalCount: response.data?.readings.totalCount ?? null,
    };
  } catch (error) {
    return { ms: performance.now() - started, status: 0, code: 'TRANSPORT', message: String(error), totalCount: null };
  }
}

describe('PostgreSQL failures under the projector and the API', () => {
  it('keeps the API answering with a retryable error and both recover by themselves, with nothing lost', async () => {
    onTestFailed(() => console.log(processes.report()));
    const { env, postgres } = servers;
    const pgServer = postgres!;
    const simulator = startSimulatorProcess(processes, env, { type: 'humidity', devices: 50, intervalMs: 50, seed: 11 });
    const projector = startProjectorProcess(processes, env, { PROJECTOR_BATCH_SIZE: '300' });
    const api = await startApiProcess(processes, env, await freePort());
    const token = (await login(gqlClient(api.url), ADMIN.username, ADMIN.password)).accessToken;
    const database = new URL(env.databaseUrl).pathname.slice(1);

    // Queries run all along, to see what clients get while the database fails.
    const answers: Answer[] = [];
    let querying = true;
    const queryLoop = (async () => {
      while (querying) {
        answers.push(await ask(api, token));
        await sleep(100);
      }
    })();

    // 1. Connections killed under the projector and the API, three times.
    let last = 0;
    for (let round = 0; round < 3; round++) {
      last = await waitFor(async () => {
        const now = await checkpointOf(env.db, env.names.stream);
        return now > last && now;
      }, 'the projector to make progress', 30_000, 50);
      await sleep(Math.random() * 300);
      const killed = await pgServer.terminateConnections(database);
      expect(killed).toBeGreaterThan(0);
    }
    await waitFor(async () => (await checkpointOf(env.db, env.names.stream)) > last, 'the projector to carry on after pg_terminate_backend', 30_000, 100);
    await waitFor(async () => (await ask(api, token)).totalCount !== null, 'the API to answer after pg_terminate_backend', 15_000, 100);

    // 2. The server crashes and stays down for a while.
    const beforeCrash = answers.length;
    await pgServer.stop('immediate');
    await sleep(2500);
    const duringOutage = await ask(api, token);
    const rest = await restClient(api.url)('GET', '/sensors', { token, query: { limit: 1, page: 1 } }).catch((error: unknown) => ({ status: 0, body: { status: 'error', message: String(error) } }));
    await sleep(1000);
    await pgServer.restart();
    const recovered = await waitFor(async () => {
      const answer = await ask(api, token);
      return answer.totalCount !== null && answer;
    }, 'the API to answer again after PostgreSQL restarted', 30_000, 200);
    querying = false;
    await queryLoop;

    // While it was down: a clear, retryable error, quickly, with no internals in it.
    expect(duringOutage.code).toBe('SERVICE_UNAVAILABLE');
    expect(duringOutage.ms).toBeLessThan(5000);
    expect(duringOutage.message).toMatch(/database/i);
    expect(duringOutage.message).not.toMatch(/ECONNREFUSED|at .*\.ts:\d+|127\.0\.0\.1/);
    expect(rest.status).toBe(503);
    expect(rest.body.status).toBe('error');
    const outage = answers.slice(beforeCrash).filter((a) => a.totalCount === null);
    expect(outage.length).toBeGreaterThan(0);
    expect(outage.filter((a) => a.code !== 'SERVICE_UNAVAILABLE')).toEqual([]);
    expect(answers.every((a) => a.ms < 10_000)).toBe(true);
    expect(recovered.totalCount).toBeGreaterThan(0);

    // The API's LISTEN connection (which wakes read-your-writes waiters) is back, and a change goes through.
    const listeners = () => env.db.query("SELECT 1 FROM pg_stat_activity WHERE application_name = 'api-change-listener' AND datname = $1", [database]);
    await waitFor(async () => (await listeners()).rowCount === 1, 'the API to LISTEN again after PostgreSQL restarted', 20_000, 200);
    const device = await env.db.query<{ device_code: string; device_number: number }>('SELECT device_code, device_number FROM readings ORDER BY id LIMIT 1');
    const { device_code: deviceCode, device_number: deviceNumber } = device.rows[0]!;
    const edit = await gqlClient(api.url)<{ updateReadings: { affected: number } }>(
      'mutation ($code: String!, $number: Int!) { updateReadings(filter: { deviceCode: $code, deviceNumber: $number }, changes: { value: 55 }, idempotencyKey: "after-restart") { affected } }',
      { code: deviceCode, number: deviceNumber },
      token,
    );
    expect(edit.errors).toBeUndefined();
    expect(edit.data?.updateReadings.affected).toBeGreaterThan(0);

    // No process died or was restarted; the projector catches up by itself.
    const headWhileUp = await streamHead(env.nc, env.names.stream);
    await waitFor(async () => (await checkpointOf(env.db, env.names.stream)) >= headWhileUp, 'the projector to catch up after the restart', 60_000, 200);
    expect(await simulator.kill('SIGTERM')).toBe(0);
    await waitForCatchUp(env, 60_000);
    expect([projector.child.exitCode, api.process.child.exitCode]).toEqual([null, null]);
    expect(await projector.kill('SIGTERM')).toBe(0);
    expect(await api.process.kill('SIGTERM')).toBe(0);

    const events = await readStreamEvents(env.nc, env.names.stream, env.names.prefix);
    const expected = expectedReadings(events);
    expect(compareWithStream(expected, await readingRows(env.db))).toEqual({ lost: [], duplicated: [], extra: [], different: [], differentCount: 0, rows: expected.length });
    const { live, rebuilt } = await liveAndRebuiltChecksums(env);
    expect(rebuilt).toBe(live);
  });
});
