/**
 * Simulator control through GraphQL, against two real simulator processes on this test's
 * stream and subject prefix: discovery, stop/start, interval, errors and vanishing instances.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, login, PASSWORD, register, type Account } from '../../../test/support/accounts.ts';
import { startBareApi, type BareApi } from '../../../test/support/bare-api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { startService, waitFor, type ServiceProcess } from '../../../test/support/processes.ts';
import type { Principal } from '../core/auth/roles.ts';
import type { SimulatorStatus } from '../core/simulators.ts';

const FIELDS = 'id sensorType running intervalSeconds devices published skipped inFlight lastError startedAt';
const LIST = `{ simulators { ${FIELDS} } }`;
const START = `mutation ($id: ID!) { startSimulator(id: $id) { ${FIELDS} } }`;
const STOP = `mutation ($id: ID!) { stopSimulator(id: $id) { ${FIELDS} } }`;
const SET_INTERVAL = `mutation ($id: ID!, $seconds: Int!) { setSimulatorInterval(id: $id, seconds: $seconds) { ${FIELDS} } }`;

let env: TestEnv;
let api: BareApi;
let admin: Account;
let user: Account;
const processes: Record<'temperature' | 'pressure', ServiceProcess | undefined> = { temperature: undefined, pressure: undefined };
const ids = { temperature: '', pressure: '' };

function startSimulatorProcess(sensorType: 'temperature' | 'pressure'): ServiceProcess {
  // Fast readings (the benchmark flag) so that counts move within a test.
  return startService('simulator/src/main.ts', env.env, ['--type', sensorType, '--devices', '10', '--benchmark-interval-ms', '200']);
}

async function list(): Promise<SimulatorStatus[]> {
  const response = await api.gql<{ simulators: SimulatorStatus[] }>(LIST, {}, admin.accessToken);
  if (!response.data) throw new Error(`simulators failed: ${JSON.stringify(response.errors)}`);
  return response.data.simulators;
}

async function find(id: string): Promise<SimulatorStatus | undefined> {
  return (await list()).find((s) => s.id === id);
}

async function mutate(query: string, variables: Record<string, unknown>, token = admin.accessToken) {
  return api.gql<Record<string, SimulatorStatus>>(query, variables, token);
}

/** The published count once nothing is in flight and two looks 300 ms apart agree. */
async function settledPublished(id: string): Promise<number> {
  return waitFor(async () => {
    const first = await find(id);
    await new Promise((r) => setTimeout(r, 300));
    const second = await find(id);
    return first && second && second.inFlight === 0 && first.published === second.published ? second.published : undefined;
  }, `${id} to settle`);
}

beforeAll(async () => {
  env = await createTestEnv();
  api = await startBareApi(env, { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: PASSWORD });
  admin = await login(api.gql, 'root');
  user = await register(api.gql, 'watcher');
  processes.temperature = startSimulatorProcess('temperature');
  processes.pressure = startSimulatorProcess('pressure');
  const both = await waitFor(async () => {
    const found = await list();
    return found.length === 2 ? found : undefined;
  }, 'two simulators in the list');
  ids.temperature = both.find((s) => s.sensorType === 'temperature')!.id;
  ids.pressure = both.find((s) => s.sensorType === 'pressure')!.id;
});

afterAll(async () => {
  for (const child of Object.values(processes)) await child?.kill('SIGKILL');
  await api?.stop();
  await env?.cleanup();
});

describe('simulators over GraphQL', () => {
  it('lists both running instances with their types, devices, interval and counters', async () => {
    await waitFor(async () => (await list()).every((s) => s.published > 0), 'both instances publishing');
    const simulators = await list();
    expect(simulators.map((s) => s.sensorType)).toEqual(['pressure', 'temperature']);
    for (const simulator of simulators) {
      expect(simulator).toMatchObject({ running: true, devices: 10, intervalSeconds: 0.2, lastError: null });
      expect(simulator.id).toMatch(new RegExp(`^sim-${simulator.sensorType}-[0-9a-f]{8}$`));
      expect(simulator.published).toBeGreaterThan(0);
      expect(Date.parse(simulator.startedAt)).toBeLessThanOrEqual(Date.now());
    }
  });

  it('stops one instance, whose published count then stops growing while the other goes on, and starts it again', async () => {
    const stopped = await mutate(STOP, { id: ids.temperature });
    expect(stopped.errors).toBeUndefined();
    expect(stopped.data?.stopSimulator).toMatchObject({ id: ids.temperature, sensorType: 'temperature', running: false });
    expect((await find(ids.temperature))?.running).toBe(false);

    const whenStopped = await settledPublished(ids.temperature);
    const otherBefore = (await find(ids.pressure))!.published;
    await new Promise((r) => setTimeout(r, 800));
    expect(await find(ids.temperature)).toMatchObject({ running: false, published: whenStopped });
    expect((await find(ids.pressure))!.published).toBeGreaterThan(otherBefore);

    const started = await mutate(START, { id: ids.temperature });
    expect(started.data?.startSimulator).toMatchObject({ id: ids.temperature, running: true });
    await waitFor(async () => ((await find(ids.temperature))?.published ?? 0) >= whenStopped + 20, 'temperature publishing again');
  });

  it('refuses an interval under 5 seconds with BAD_USER_INPUT on field seconds, before asking any instance', async () => {
    const response = await mutate(SET_INTERVAL, { id: ids.pressure, seconds: 4 });
    expect(response.errors?.[0]).toMatchObject({ message: 'interval must be at least 5 seconds', extensions: { code: 'BAD_USER_INPUT', field: 'seconds' } });
    expect(response.data?.setSimulatorInterval ?? null).toBeNull();
    // Checked before any call: an unknown instance gets the same answer, not NOT_FOUND.
    expect(errorCode(await mutate(SET_INTERVAL, { id: 'sim-pressure-00000000', seconds: 4 }))).toBe('BAD_USER_INPUT');
    expect((await find(ids.pressure))?.intervalSeconds).toBe(0.2);
  });

  it('sets an interval of 10 seconds, which the instance then reports', async () => {
    const response = await mutate(SET_INTERVAL, { id: ids.pressure, seconds: 10 });
    expect(response.errors).toBeUndefined();
    expect(response.data?.setSimulatorInterval).toMatchObject({ id: ids.pressure, intervalSeconds: 10, running: true });
    expect((await find(ids.pressure))?.intervalSeconds).toBe(10);
    expect((await find(ids.temperature))?.intervalSeconds).toBe(0.2);
  });

  it('answers NOT_FOUND for an id no running instance has, or that is no simulator id at all', async () => {
    for (const id of ['sim-humidity-00000000', `${ids.pressure}.>`, '*']) {
      const response = await mutate(START, { id });
      expect(errorCode(response)).toBe('NOT_FOUND');
      expect(response.errors?.[0]?.message).toContain('no simulator with id');
    }
  });

  it('refuses every simulator operation to a user with FORBIDDEN and to an anonymous caller with UNAUTHENTICATED', async () => {
    const operations: [string, Record<string, unknown>][] = [
      [LIST, {}],
      [START, { id: ids.pressure }],
      [STOP, { id: ids.pressure }],
      [SET_INTERVAL, { id: ids.pressure, seconds: 30 }],
    ];
    for (const [query, variables] of operations) {
      expect(errorCode(await api.gql(query, variables, user.accessToken))).toBe('FORBIDDEN');
      expect(errorCode(await api.gql(query, variables))).toBe('UNAUTHENTICATED');
    }
    expect(await find(ids.pressure)).toMatchObject({ running: true, intervalSeconds: 10 });
  });

  it('stops, paces and starts every instance of the prefix at once through the core, with a result per instance', async () => {
    const root: Principal = { userId: admin.userId, username: admin.username, role: 'admin', via: 'token' };
    const control = api.app.services.simulators;
    const stopped = await control.stopAll(root);
    expect(stopped.map((r) => ('simulator' in r ? [r.id, r.simulator.running] : [r.id, r.error.code]))).toEqual(
      [
        [ids.pressure, false],
        [ids.temperature, false],
      ].sort(),
    );
    await expect(control.setIntervalAll(root, 4)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'seconds' } });
    const paced = await control.setIntervalAll(root, 15);
    expect(paced.map((r) => ('simulator' in r ? r.simulator.intervalSeconds : r.error.code))).toEqual([15, 15]);
    const started = await control.startAll(root);
    expect(started.map((r) => ('simulator' in r ? r.simulator.running : r.error.code))).toEqual([true, true]);
    const asUser: Principal = { userId: user.userId, username: user.username, role: 'user', via: 'token' };
    await expect(control.startAll(asUser)).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('answers SERVICE_UNAVAILABLE for an instance that does not answer in time, and leaves it out of the list meanwhile', async () => {
    const child = processes.pressure!.child;
    child.kill('SIGSTOP');
    try {
      const response = await mutate(STOP, { id: ids.pressure });
      expect(errorCode(response)).toBe('SERVICE_UNAVAILABLE');
      expect(response.errors?.[0]?.message).toBe(`simulator ${ids.pressure} did not answer within 2000 ms (busy or stuck); it may still act on the request later`);
      expect((await list()).map((s) => s.id)).toEqual([ids.temperature]);
    } finally {
      child.kill('SIGCONT');
    }
    // Resumed, it reads the request that timed out and acts on it, as the message warns.
    expect(await waitFor(() => find(ids.pressure), 'pressure answering again')).toMatchObject({ running: false });
    expect((await mutate(START, { id: ids.pressure })).data?.startSimulator).toMatchObject({ running: true });
  });

  it('drops an instance killed with SIGKILL from the list', async () => {
    await processes.temperature!.kill('SIGKILL');
    await waitFor(async () => {
      const found = await list();
      return found.length === 1 && found[0]!.id === ids.pressure;
    }, 'only the pressure simulator in the list');
    expect(errorCode(await mutate(START, { id: ids.temperature }))).toBe('NOT_FOUND');
  });
});
