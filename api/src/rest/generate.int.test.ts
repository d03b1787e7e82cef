/**
 * /api/v1/sensors/generate/{start,stop,frequency} against a real simulator process on this
 * test's stream and subject prefix: every instance or one by `?simulator=`, admins only,
 * the frequency floor, and what GraphQL's `simulators` then reports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { login, PASSWORD, register, type Account } from '../../../test/support/accounts.ts';
import { startBareApi, type BareApi } from '../../../test/support/bare-api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { startService, waitFor, type ServiceProcess } from '../../../test/support/processes.ts';
import { restClient, type Rest } from '../../../test/support/rest.ts';
import type { SimulatorStatus } from '../core/simulators.ts';
import { simulatorsResultSchema } from './schemas.ts';

let env: TestEnv;
let api: BareApi;
let rest: Rest;
let admin: Account;
let user: Account;
let simulator: ServiceProcess | undefined;
let id = '';

beforeAll(async () => {
  env = await createTestEnv();
  api = await startBareApi(env, { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: PASSWORD });
  rest = restClient(api.url);
  admin = await login(api.gql, 'root');
  user = await register(api.gql, 'watcher');
});

afterAll(async () => {
  await simulator?.kill('SIGKILL');
  await api?.stop();
  await env?.cleanup();
});

async function simulators(): Promise<SimulatorStatus[]> {
  const response = await api.gql<{ simulators: SimulatorStatus[] }>('{ simulators { id sensorType running intervalSeconds devices published } }', {}, admin.accessToken);
  if (!response.data) throw new Error(`simulators failed: ${JSON.stringify(response.errors)}`);
  return response.data.simulators;
}

const post = (action: 'start' | 'stop', options: { query?: Record<string, string>; token?: string } = {}) =>
  rest<{ simulators: { id: string; running: boolean; frequency: number }[] }>('POST', `/sensors/generate/${action}`, { token: admin.accessToken, ...options });
const frequency = (body: unknown, query?: Record<string, string>, token = admin.accessToken) =>
  rest<{ simulators: { id: string; frequency: number }[] }>('PUT', '/sensors/generate/frequency', { token, body, query });

describe('with no simulator running', () => {
  it('answers 503 saying none runs', async () => {
    expect(await post('start')).toMatchObject({
      status: 503,
      body: { status: 'error', message: 'no sensor generator is running: start a simulator (npm run simulator -- --type humidity)' },
    });
  });
});

describe('with a simulator running', () => {
  beforeAll(async () => {
    // Fast readings (the benchmark flag) so that the published count moves within a test.
    simulator = startService('simulator/src/main.ts', env.env, ['--type', 'temperature', '--devices', '5', '--benchmark-interval-ms', '200']);
    const [found] = await waitFor(async () => {
      const list = await simulators();
      return list.length === 1 && list[0]!.published > 0 ? list : undefined;
    }, 'the simulator publishing');
    id = found!.id;
  });

  it('refuses an anonymous caller with 401 and a user with 403, on every endpoint', async () => {
    for (const token of [undefined, user.accessToken]) {
      const answers = [
        await rest('POST', '/sensors/generate/start', { token }),
        await rest('POST', '/sensors/generate/stop', { token }),
        await rest('PUT', '/sensors/generate/frequency', { token, body: { frequency: 10 } }),
      ];
      expect(answers.map((a) => [a.status, a.body.status])).toEqual(Array(3).fill(token ? [403, 'error'] : [401, 'error']));
      if (token) expect(answers[0]!.body.message).toBe('the user role may not control simulators');
    }
    expect((await simulators())[0]).toMatchObject({ running: true, intervalSeconds: 0.2 });
  });

  it('stops every simulator, which then stops publishing', async () => {
    const response = await post('stop');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'success', message: 'sensor generator stopped' });
    expect(simulatorsResultSchema.parse(response.body.data).simulators).toMatchObject([{ id, sensor_type: 'temperature', running: false, frequency: 0.2, devices: 5 }]);
    expect((await simulators())[0]?.running).toBe(false);
    const settled = await waitFor(async () => {
      const first = (await simulators())[0]!.published;
      await new Promise((r) => setTimeout(r, 400));
      return (await simulators())[0]!.published === first ? first : undefined;
    }, 'the published count to settle');
    await new Promise((r) => setTimeout(r, 400));
    expect((await simulators())[0]!.published).toBe(settled);
  });

  it('starts the one named by ?simulator=, which publishes again', async () => {
    const before = (await simulators())[0]!.published;
    const response = await post('start', { query: { simulator: id } });
    expect(response).toMatchObject({ status: 200, body: { status: 'success', message: 'sensor generator started', data: { simulators: [{ id, running: true }] } } });
    await waitFor(async () => (await simulators())[0]!.published > before + 5, 'publishing again');
  });

  it.each([
    ['4 seconds', { frequency: 4 }, 'interval must be at least 5 seconds'],
    ['a fraction of a second', { frequency: 7.5 }, 'interval must be a whole number of seconds'],
    ['a string', { frequency: '10' }, 'frequency must be a number, not a string'],
    ['nothing', {}, 'frequency is required'],
    ['an unknown field', { frequency: 10, unit: 's' }, 'unknown field unit'],
  ])('refuses a frequency of %s with 400, changing nothing', async (_title, body, message) => {
    expect(await frequency(body)).toMatchObject({ status: 400, body: { status: 'error', message } });
    expect((await simulators())[0]?.intervalSeconds).toBe(0.2);
  });

  it('sets the frequency of every simulator, and of the one named', async () => {
    const all = await frequency({ frequency: 10 });
    expect(all).toMatchObject({ status: 200, body: { status: 'success', message: 'sensor generator frequency set to 10 s', data: { simulators: [{ id, frequency: 10 }] } } });
    expect((await simulators())[0]?.intervalSeconds).toBe(10);
    const one = await frequency({ frequency: 5 }, { simulator: id });
    expect(one).toMatchObject({ status: 200, body: { data: { simulators: [{ id, frequency: 5 }] } } });
    expect((await simulators())[0]?.intervalSeconds).toBe(5);
  });

  it('answers 404 for a simulator id no instance has, and 400 for an unknown parameter', async () => {
    expect(await post('stop', { query: { simulator: 'sim-temperature-00000000' } })).toMatchObject({
      status: 404,
      body: { status: 'error', message: 'no simulator with id "sim-temperature-00000000" is running' },
    });
    expect(await post('stop', { query: { id } })).toMatchObject({ status: 400, body: { message: 'unknown query parameter id' } });
    expect((await simulators())[0]?.running).toBe(true);
  });
});
