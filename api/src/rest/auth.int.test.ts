/**
 * REST accounts and credentials (SPEC §8): register with the bootstrap rule, login with
 * unix-seconds expiry, and the 401/403 answers for every kind of bad credential, the
 * tokens our login issues and API keys alike.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, TEST_JWT_SECRET, type ApiStack } from '../../../test/support/api.ts';
import { createApiKey, PASSWORD } from '../../../test/support/accounts.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { restClient, type Rest } from '../../../test/support/rest.ts';
import { AccessTokens } from '../core/auth/access-tokens.ts';
import { loginResultSchema, registeredSchema } from './schemas.ts';

let env: TestEnv;
let api: ApiStack;
let rest: Rest;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env, { LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '3' });
  rest = restClient(api.url);
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

const register = (body: Record<string, unknown>, token?: string) => rest<{ id: string; username: string; role: string; created_at: string }>('POST', '/auth/register', { body, token });

async function login(username: string, password = PASSWORD): Promise<string> {
  const response = await rest<{ access_token: string; expires_at: number }>('POST', '/auth/login', { body: { username, password } });
  if (response.status !== 200) throw new Error(`login failed: ${JSON.stringify(response.body)}`);
  return response.body.data!.access_token;
}

const listSensors = (token?: string, headers?: Record<string, string>) => rest('GET', '/sensors', { token, headers, query: { limit: 10, page: 1 } });

describe('POST /api/v1/auth/register', () => {
  it('makes the first account admin, whatever role it asks for', async () => {
    const response = await register({ username: 'root', password: PASSWORD, role: 'user' });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'success', message: 'user registered', data: { username: 'root', role: 'admin' } });
    registeredSchema.parse(response.body.data);
  });

  it('registers later accounts as users, the role field being optional', async () => {
    expect((await register({ username: 'alice', password: PASSWORD, role: 'user' })).body.data?.role).toBe('user');
    expect((await register({ username: 'bob', password: PASSWORD })).body.data?.role).toBe('user');
  });

  it('refuses the admin role without an admin token with 403, and grants it with one', async () => {
    const refused = await register({ username: 'mallory', password: PASSWORD, role: 'admin' });
    expect(refused).toMatchObject({ status: 403, body: { status: 'error', message: 'only an admin may grant the admin role' } });
    const asUser = await register({ username: 'mallory', password: PASSWORD, role: 'admin' }, await login('alice'));
    expect(asUser).toMatchObject({ status: 403, body: { message: 'only an admin may grant the admin role' } });

    const granted = await register({ username: 'carol', password: PASSWORD, role: 'admin' }, await login('root'));
    expect(granted).toMatchObject({ status: 200, body: { status: 'success', data: { username: 'carol', role: 'admin' } } });
  });

  it.each([
    ['a taken username, in another case', { username: 'ALICE', password: PASSWORD }, 'username ALICE is already taken'],
    ['a username with a space', { username: 'a b', password: PASSWORD }, 'username must be 3–50 characters of letters, digits, _ . or -'],
    ['a short password', { username: 'dave', password: 'short' }, 'password must be 8–128 characters'],
    ['an unknown role', { username: 'dave', password: PASSWORD, role: 'owner' }, 'role must be one of admin, user'],
    ['a password that is a number', { username: 'dave', password: 12345678 }, 'password must be a string, not a number'],
    ['no username', { password: PASSWORD }, 'username is required'],
    ['an unknown field', { username: 'dave', password: PASSWORD, email: 'd@example.com' }, 'unknown field email'],
  ])('refuses %s with 400 naming the problem', async (_title, body, message) => {
    expect(await register(body)).toMatchObject({ status: 400, body: { status: 'error', message } });
  });

  it('refuses a registration carrying an invalid token with 401 rather than ignoring it', async () => {
    const response = await register({ username: 'erin', password: PASSWORD }, 'not-a-token');
    expect(response).toMatchObject({ status: 401, body: { status: 'error', message: 'invalid access token' } });
  });
});

describe('POST /api/v1/auth/login', () => {
  it('answers an access token and its expiry in unix seconds, and the token opens the API', async () => {
    const before = Math.floor(Date.now() / 1000);
    const response = await rest<{ access_token: string; expires_at: number }>('POST', '/auth/login', { body: { username: 'alice', password: PASSWORD } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'success', message: 'login successful' });
    const data = loginResultSchema.parse(response.body.data);
    expect(data.expires_at).toBeGreaterThanOrEqual(before + 900);
    expect(data.expires_at).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 900);
    expect((await listSensors(data.access_token)).status).toBe(200);
    // The same token works for GraphQL.
    expect((await api.gql<{ me: { username: string } }>('{ me { username } }', {}, data.access_token)).data?.me.username).toBe('alice');
  });

  it('refuses a wrong password with 401, and too many attempts with 429', async () => {
    const wrong = await rest('POST', '/auth/login', { body: { username: 'bob', password: 'wrong password' } });
    expect(wrong).toMatchObject({ status: 401, body: { status: 'error', message: 'invalid username or password' } });
    expect(wrong.headers.get('www-authenticate')).toBe('Bearer');
    await rest('POST', '/auth/login', { body: { username: 'bob', password: 'wrong password' } });
    await rest('POST', '/auth/login', { body: { username: 'bob', password: 'wrong password' } });
    const throttled = await rest('POST', '/auth/login', { body: { username: 'bob', password: PASSWORD } });
    expect(throttled).toMatchObject({ status: 429, body: { status: 'error', message: 'too many login attempts; wait a few minutes and try again' } });
  });

  it('ignores a stale Authorization header: logging in is how one gets a fresh token', async () => {
    const response = await rest('POST', '/auth/login', { body: { username: 'alice', password: PASSWORD }, token: 'expired-or-not' });
    expect(response.status).toBe(200);
  });
});

describe('credentials', () => {
  it('answers 401 for a missing token, saying how to send one', async () => {
    const response = await listSensors();
    expect(response).toMatchObject({ status: 401, body: { status: 'error', message: 'authentication required: send a valid access token as "Authorization: Bearer <token>"' } });
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('answers 401 for a malformed Authorization header', async () => {
    const response = await listSensors(undefined, { authorization: 'Token abc' });
    expect(response).toMatchObject({ status: 401, body: { message: 'malformed Authorization header: expected "Bearer <token>"' } });
  });

  it('answers 401 for a token that is not ours', async () => {
    expect(await listSensors('eyJhbGciOiJIUzI1NiJ9.e30.x')).toMatchObject({ status: 401, body: { message: 'invalid access token' } });
  });

  it('answers 401 for an expired token', async () => {
    const me = await api.gql<{ me: { id: string } }>('{ me { id } }', {}, await login('alice'));
    const tokens = new AccessTokens({ secret: TEST_JWT_SECRET, issuer: 'sensor-platform', audience: 'sensor-platform-api', ttlSeconds: 60 });
    const expired = await tokens.sign({ userId: me.data!.me.id, role: 'user' }, Date.now() - 3_600_000);
    expect(await listSensors(expired.token)).toMatchObject({ status: 401, body: { status: 'error', message: 'access token expired: refresh it or log in again' } });
  });

  it('takes API keys as bearer tokens, with their role: a device key may record but not read', async () => {
    const admin = await login('root');
    const userKey = await createApiKey(api.gql, admin, 'USER');
    expect((await listSensors(userKey.key)).status).toBe(200);
    const deviceKey = await createApiKey(api.gql, admin, 'DEVICE');
    expect(await listSensors(deviceKey.key)).toMatchObject({ status: 403, body: { status: 'error', message: 'the device role may not read readings' } });
    const recorded = await rest('POST', '/sensors/generate/manual', {
      token: deviceKey.key,
      body: { sensor_value: 40, sensor_type: 'humidity', device_code: 'KEY', device_number: 1, timestamp: new Date().toISOString() },
    });
    expect(recorded).toMatchObject({ status: 200, body: { status: 'success', message: 'sensor data recorded' } });
  });
});
