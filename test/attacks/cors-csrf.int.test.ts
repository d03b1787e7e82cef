/**
 * CORS and CSRF (policy in api/src/http-guards.ts, README "Security and production
 * settings"), with the requests a browser would send, Origin and preflight included.
 * The API takes no cookies, so a foreign page can only make a browser send requests without
 * credentials; the one that matters is a mutation needing none (`register` makes the first
 * account admin on a fresh deployment). Each refusal is checked against the users table:
 * the refused `register` created nobody, the same `register` through the right door does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadApiEnv } from '../../api/src/config.ts';
import { PASSWORD } from '../support/accounts.ts';
import { startBareApi, type BareApi } from '../support/bare-api.ts';
import { createTestEnv, type TestEnv } from '../support/env.ts';
import { rawRequest, upgradeStatus, type RawResponse } from '../support/raw-http.ts';

const DASHBOARD = 'https://dashboard.example.com';
const EVIL = 'https://evil.example';

let env: TestEnv;
/** Development defaults: the server's own origin and local ones. */
let dev: BareApi;
/** Production with CORS_ORIGINS listing the dashboard. */
let prod: BareApi;
/** Production defaults: the server's own origin only. */
let closed: BareApi;

beforeAll(async () => {
  env = await createTestEnv();
  [dev, prod, closed] = await Promise.all([
    startBareApi(env),
    startBareApi(env, { NODE_ENV: 'production', CORS_ORIGINS: `${DASHBOARD}, http://localhost:5173` }),
    startBareApi(env, { NODE_ENV: 'production' }),
  ]);
});

afterAll(async () => {
  await Promise.all([dev?.stop(), prod?.stop(), closed?.stop()]);
  await env?.cleanup();
});

let registrations = 0;
/** A register mutation for a fresh name, and a check of whether that name now exists. */
function registration() {
  const username = `csrf_${++registrations}`;
  return {
    query: `mutation { register(username: "${username}", password: "${PASSWORD}") { user { username } } }`,
    created: async () => (await env.db.query('SELECT 1 FROM users WHERE username = $1', [username])).rowCount === 1,
  };
}

const preflight = (api: BareApi, origin: string, path = '/graphql') =>
  rawRequest(`${api.origin}${path}`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });

const postJson = (api: BareApi, body: unknown, origin?: string) =>
  rawRequest(api.url, { method: 'POST', headers: { 'content-type': 'application/json', ...(origin ? { origin } : {}) }, body: JSON.stringify(body) });

const allowOrigin = (response: RawResponse) => response.headers['access-control-allow-origin'] ?? null;

describe('CORS', () => {
  it('answers a preflight from a listed origin, allowing it (without credentials), and then its request', async () => {
    const answer = await preflight(prod, DASHBOARD);
    expect(answer.status).toBe(204);
    expect(answer.headers).toMatchObject({
      'access-control-allow-origin': DASHBOARD,
      'access-control-allow-methods': 'GET, POST, PUT, DELETE',
      'access-control-allow-headers': 'authorization, content-type',
      vary: 'Origin',
    });
    expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    const { query, created } = registration();
    const response = await postJson(prod, { query }, DASHBOARD);
    expect(response.status).toBe(200);
    expect(allowOrigin(response)).toBe(DASHBOARD);
    expect(await created()).toBe(true);
  });

  it('refuses the preflight and the request of an origin not listed with 403, running nothing', async () => {
    const answer = await preflight(prod, EVIL);
    expect(answer.status).toBe(403);
    expect(allowOrigin(answer)).toBeNull();
    const { query, created } = registration();
    const response = await postJson(prod, { query }, EVIL);
    expect(response.status).toBe(403);
    expect(allowOrigin(response)).toBeNull();
    expect(JSON.parse(response.body).errors[0]).toMatchObject({ message: `requests from origin ${EVIL} are not allowed: the API's CORS_ORIGINS setting lists the origins that are`, extensions: { code: 'FORBIDDEN' } });
    expect(await created()).toBe(false);
  });

  it("allows only the server's own origin in production by default, and clients that send no Origin", async () => {
    const own = new URL(closed.origin).origin;
    const first = registration();
    expect((await postJson(closed, { query: first.query }, own)).status).toBe(200);
    expect(await first.created()).toBe(true);
    const second = registration();
    expect((await postJson(closed, { query: second.query })).status).toBe(200);
    expect(await second.created()).toBe(true);
    for (const origin of [DASHBOARD, 'http://localhost:5173', 'null']) {
      const refused = registration();
      expect((await postJson(closed, { query: refused.query }, origin)).status, origin).toBe(403);
      expect(await refused.created()).toBe(false);
    }
  });

  it('allows local origins on any port in development, and no others', async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:3000']) {
      const answer = await preflight(dev, origin);
      expect(answer.status, origin).toBe(204);
      expect(allowOrigin(answer)).toBe(origin);
    }
    for (const origin of [EVIL, 'http://localhost.evil.example', 'null']) {
      expect((await preflight(dev, origin)).status, origin).toBe(403);
      expect((await postJson(dev, { query: '{ __typename }' }, origin)).status, origin).toBe(403);
    }
  });

  it('allows any origin with CORS_ORIGINS=*, still without credentials', async () => {
    const open = await startBareApi(env, { NODE_ENV: 'production', CORS_ORIGINS: '*' });
    try {
      const answer = await preflight(open, EVIL);
      expect(answer.status).toBe(204);
      expect(allowOrigin(answer)).toBe(EVIL);
      expect(answer.headers['access-control-allow-credentials']).toBeUndefined();
    } finally {
      await open.stop();
    }
  });

  it('applies the same policy to REST and to WebSocket upgrades', async () => {
    const allowed = await preflight(prod, DASHBOARD, '/api/v1/auth/login');
    expect(allowed.status).toBe(204);
    expect(allowOrigin(allowed)).toBe(DASHBOARD);
    const login = (origin: string) =>
      rawRequest(`${prod.origin}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', origin }, body: JSON.stringify({ username: 'nobody', password: 'wrong password' }) });
    const fromDashboard = await login(DASHBOARD);
    expect(fromDashboard.status).toBe(401);
    expect(allowOrigin(fromDashboard)).toBe(DASHBOARD);
    const fromEvil = await login(EVIL);
    expect(fromEvil.status).toBe(403);
    expect(JSON.parse(fromEvil.body)).toEqual({ status: 'error', message: `requests from origin ${EVIL} are not allowed: the API's CORS_ORIGINS setting lists the origins that are` });
    expect((await preflight(prod, EVIL, '/api/v1/sensors')).status).toBe(403);

    expect(await upgradeStatus(prod.url, { origin: DASHBOARD })).toBe(101);
    expect(await upgradeStatus(prod.url)).toBe(101);
    expect(await upgradeStatus(prod.url, { origin: EVIL })).toBe(403);
  });

  it('refuses to start with a CORS_ORIGINS entry that is not an origin, naming the variable', () => {
    for (const bad of ['dashboard.example.com', 'https://dashboard.example.com/app', 'ftp://files.example.com']) {
      expect(() => loadApiEnv({ CORS_ORIGINS: bad }), bad).toThrow(/Invalid environment variable CORS_ORIGINS/);
    }
    expect(loadApiEnv({ CORS_ORIGINS: `${DASHBOARD},http://localhost:5173` }).CORS_ORIGINS).toBe(`${DASHBOARD},http://localhost:5173`);
  });
});

describe('CSRF', () => {
  // Each of these a plain HTML form or a no-cors fetch can send from any page, without a preflight and without an Origin check in old browsers.
  const simple: [string, string, (query: string) => string][] = [
    ['an HTML form (application/x-www-form-urlencoded)', 'application/x-www-form-urlencoded', (q) => new URLSearchParams({ query: q }).toString()],
    ['a multipart form', 'multipart/form-data; boundary=XyZ', (q) => `--XyZ\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: q })}\r\n--XyZ--\r\n`],
    ['text/plain carrying JSON', 'text/plain', (q) => JSON.stringify({ query: q })],
    ['no content type', '', (q) => JSON.stringify({ query: q })],
  ];

  it('runs the mutation sent as JSON, the door the attacks below try to avoid', async () => {
    const { query, created } = registration();
    expect((await postJson(dev, { query })).status).toBe(200);
    expect(await created()).toBe(true);
  });

  for (const [what, contentType, body] of simple) {
    it(`refuses a mutation posted as ${what} with 415, running nothing`, async () => {
      const { query, created } = registration();
      const response = await rawRequest(dev.url, { method: 'POST', headers: contentType ? { 'content-type': contentType } : {}, body: body(query) });
      expect(response.status).toBe(415);
      expect(JSON.parse(response.body).errors[0].message).toMatch(/^POST \/graphql takes a JSON body \(Content-Type: application\/json\)/);
      expect(await created()).toBe(false);
    });
  }

  it('refuses a mutation sent by GET (a link or an image) with 405, while a query by GET runs', async () => {
    const { query, created } = registration();
    const mutation = await rawRequest(`${dev.url}?${new URLSearchParams({ query })}`, { headers: { accept: 'application/json' } });
    expect(mutation.status).toBe(405);
    expect(await created()).toBe(false);
    const read = await rawRequest(`${dev.url}?${new URLSearchParams({ query: '{ __typename }' })}`, { headers: { accept: 'application/json' } });
    expect(read.status).toBe(200);
    expect(JSON.parse(read.body)).toEqual({ data: { __typename: 'Query' } });
  });
});
