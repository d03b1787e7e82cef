/**
 * A real API process (issue #7, items 3 and 6): its JSON log lines carry request ids and never a
 * secret — passwords, access and refresh tokens, API keys, JWT_SECRET, connection_init payloads —
 * even at LOG_LEVEL=trace; on SIGTERM graphql-ws clients see 1001 (going away), a request in flight
 * still gets its answer, and the process exits 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, type Gql } from '../support/accounts.ts';
import type { GqlResponse } from '../support/api.ts';
import { createTestEnv, type TestEnv } from '../support/env.ts';
import { collectSse, collectWs, wsClient } from '../support/live.ts';
import { freePort, startService, waitFor, type ServiceProcess } from '../support/processes.ts';

const JWT_SECRET = 'JWTSECRET-do-not-log-0123456789abcdefghij';
const ADMIN_PASSWORD = 'AdminPw-never-logged-81';
const USER_PASSWORD = 'UserPw-never-logged-52';
const WRONG_PASSWORD = 'WrongPw-never-logged-17';
const JWT_SHAPE = /eyJ[A-Za-z0-9_-]{8,}/;

describe('the API process', () => {
  let env: TestEnv;
  let api: ServiceProcess;
  let base: string;
  let gql: Gql;
  let traced: <T>(query: string, variables: Record<string, unknown>, token: string | undefined, requestId: string) => Promise<GqlResponse<T>>;

  beforeAll(async () => {
    env = await createTestEnv();
    const port = await freePort();
    api = startService('api/src/main.ts', {
      ...env.env,
      LOG_LEVEL: 'trace',
      PORT: String(port),
      JWT_SECRET,
      DATA_DIR: `/tmp/${env.id}`,
      ADMIN_USERNAME: 'opsroot',
      ADMIN_PASSWORD,
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      CHANGE_WAIT_MS: '2500',
    });
    base = `http://127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`${base}/healthz`)).ok, 'the API to listen', 30_000, 100);
    traced = async <T,>(query: string, variables: Record<string, unknown> = {}, token?: string, requestId?: string) => {
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(requestId ? { 'x-request-id': requestId } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) } as GqlResponse<T>;
    };
    gql = (query, variables, token) => traced(query, variables ?? {}, token, '');
  }, 60_000);
  afterAll(async () => {
    await api?.kill('SIGKILL');
    await env?.cleanup();
  });

  it('logs request ids and no secret, and on SIGTERM closes graphql-ws with 1001, ends SSE streams, answers the request in flight and exits 0', async () => {
    const secrets: string[] = [JWT_SECRET, ADMIN_PASSWORD, USER_PASSWORD, WRONG_PASSWORD];
    type Auth = { accessToken: string; refreshToken: string };
    const login = await traced<{ login: Auth }>('mutation LogIn($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken refreshToken } }', { u: 'opsroot', p: ADMIN_PASSWORD }, undefined, 'trace-login-1');
    const admin = login.data!.login;
    secrets.push(admin.accessToken, admin.refreshToken);
    const refreshed = await gql<{ refreshToken: Auth }>('mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }', { t: admin.refreshToken });
    secrets.push(refreshed.data!.refreshToken.accessToken, refreshed.data!.refreshToken.refreshToken);
    // A used refresh token presented again (the reuse alarm path) and a wrong password (the throttle path).
    expect((await gql('mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken } }', { t: admin.refreshToken })).errors).toBeDefined();
    expect((await gql(`mutation { login(username: "opsroot", password: "${WRONG_PASSWORD}") { accessToken } }`)).errors).toBeDefined();
    const registered = await gql<{ register: Auth }>(`mutation { register(username: "opsuser", password: "${USER_PASSWORD}") { accessToken refreshToken } }`);
    secrets.push(registered.data!.register.accessToken, registered.data!.register.refreshToken);
    const restLogin = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'opsuser', password: USER_PASSWORD }) });
    secrets.push(((await restLogin.json()) as { data: { access_token: string } }).data.access_token);
    const key = await createApiKey(gql, admin.accessToken, 'ADMIN', 'ops key');
    secrets.push(key.key);
    expect((await gql<{ me: { username: string } }>('{ me { username } }', {}, key.key)).data?.me.username).toBe('opsroot');
    expect((await gql('{ me { username } }', {}, `${key.key.slice(0, -4)}XXXX`)).errors).toBeDefined();
    expect((await gql('{ me { username } }', {}, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmb3JnZWQifQ.forgedsignature')).errors).toBeDefined();

    // A graphql-ws client refused for a bad token, and one subscribed with a good one.
    const refusedCodes: number[] = [];
    const refused = wsClient(`${base}/graphql`, 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.badsig', { onClose: (code) => refusedCodes.push(code) });
    await collectWs(refused, 'subscription { readingRecorded { sequence } }').done;
    expect(refusedCodes).toEqual([4403]);
    const closeCodes: number[] = [];
    const client = wsClient(`${base}/graphql`, admin.accessToken, { onClose: (code) => closeCodes.push(code) });
    const feed = collectWs(client, 'subscription Watch { readingRecorded { sequence } }');
    const sse = collectSse(`${base}/graphql`, admin.accessToken, 'subscription { readingRecorded { sequence } }');
    await waitFor(async () => (await (await fetch(`${base}/metrics`)).text()).includes('sensors_live_subscriptions 2'), 'both subscriptions to open');

    // No projector runs: the mutation waits CHANGE_WAIT_MS for it, then answers CHANGE_PENDING. SIGTERM lands meanwhile.
    const inFlight = traced<unknown>('mutation Pending { updateReadings(filter: { deviceCode: "A" }, changes: { value: 1 }) { affected } }', {}, admin.accessToken, 'trace-inflight-1');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const sentAt = Date.now();
    api.child.kill('SIGTERM');
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect((answer as { errors?: { extensions?: { code?: string } }[] }).errors?.[0]?.extensions?.code).toBe('CHANGE_PENDING');
    expect(await api.exited).toBe(0);
    expect(Date.now() - sentAt).toBeLessThan(9000);
    await feed.done;
    expect(closeCodes).toEqual([1001]);
    await client.dispose();
    // The SSE stream ends with an error saying why, rather than being cut.
    await sse.done;
    expect(JSON.stringify(sse.errors)).toContain('the server is shutting down');

    const output = api.output();
    for (const secret of secrets) expect(output.includes(secret), `a secret (${secret.slice(0, 6)}…) is in the log`).toBe(false);
    expect(output).not.toMatch(JWT_SHAPE);
    expect(output).not.toMatch(/sk_[0-9a-f-]{36}_/);

    const lines = output.split('\n').filter(Boolean);
    const logs = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const forLogin = logs.filter((l) => l.requestId === 'trace-login-1').map((l) => l.msg);
    expect(forLogin).toEqual(expect.arrayContaining(['graphql operation', 'request completed']));
    expect(logs.find((l) => l.requestId === 'trace-inflight-1' && l.msg === 'request completed')).toMatchObject({ status: 200, method: 'POST', path: '/graphql' });
    const wsOperation = logs.find((l) => l.msg === 'graphql operation' && l.operation === 'Watch');
    expect(wsOperation?.requestId).toMatch(/^[0-9a-f-]{36}\.1$/);
    expect(logs.find((l) => l.msg === 'websocket closed' && l.code === 1001)).toBeDefined();
    expect(logs.at(-1)?.msg).toBe('API stopped');
  }, 60_000);
});
