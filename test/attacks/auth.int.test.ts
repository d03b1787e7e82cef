/**
 * Attacks on accounts and credentials that the per-feature tests leave open. Already covered
 * (README "Security and production settings" lists where): throttling per account of single,
 * aliased, batched and parallel GraphQL logins (api/src/graphql-limits.int.test.ts), REST 429
 * (api/src/rest/auth.int.test.ts), forged and expired tokens, refresh reuse revoking the family
 * (api/src/core/auth/tokens.int.test.ts), every operation × role and key kind, register(role:
 * ADMIN) and setUserRole by non-admins (api/src/schema/authorization.int.test.ts), demotion
 * taking effect at once / within the 2 s user cache on another instance
 * (api/src/core/auth/roles.int.test.ts). Here: the throttle shared across transports and API
 * instances; a stolen refresh token raced against its owner; the refresh of a demoted or
 * deleted user; API key scopes over graphql-ws; role escalation through extra fields.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, errorCode, login, PASSWORD, register, type Account } from '../support/accounts.ts';
import { startBareApi, type BareApi } from '../support/bare-api.ts';
import { createTestEnv, type TestEnv } from '../support/env.ts';
import { collectWs, wsClient } from '../support/live.ts';
import { restClient, type Rest } from '../support/rest.ts';

const MAX_PER_ACCOUNT = 4;

let env: TestEnv;
let one: BareApi;
/** A second API instance on the same database. */
let two: BareApi;
let rest: Rest;
let root: Account;

beforeAll(async () => {
  env = await createTestEnv();
  const settings = { LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: String(MAX_PER_ACCOUNT), LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '10000', ADMIN_USERNAME: 'root', ADMIN_PASSWORD: PASSWORD };
  one = await startBareApi(env, settings);
  two = await startBareApi(env, settings);
  rest = restClient(one.url);
  root = await login(one.gql, 'root');
});

afterAll(async () => {
  await two?.stop();
  await one?.stop();
  await env?.cleanup();
});

const LOGIN = 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }';
const REFRESH = 'mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken user { role } } }';
const ADMIN_ONLY = '{ users { username } }';
const setRole = (userId: string, role: 'ADMIN' | 'USER') => one.gql('mutation ($id: ID!, $r: Role!) { setUserRole(userId: $id, role: $r) { role } }', { id: userId, r: role }, root.accessToken);

describe('brute force', () => {
  it('counts failed logins of one account through GraphQL on two instances and through REST against one limit', async () => {
    await register(one.gql, 'target');
    const attempts: (() => Promise<string | null>)[] = [
      async () => errorCode(await one.gql(LOGIN, { u: 'target', p: 'guess 1' })),
      async () => errorCode(await two.gql(LOGIN, { u: 'target', p: 'guess 2' })),
      async () => String((await rest('POST', '/auth/login', { body: { username: 'target', password: 'guess 3' } })).status),
      async () => errorCode(await two.gql(LOGIN, { u: 'TARGET', p: 'guess 4' })),
    ];
    const answers = [];
    for (const attempt of attempts) answers.push(await attempt());
    expect(answers).toEqual(['UNAUTHENTICATED', 'UNAUTHENTICATED', '401', 'UNAUTHENTICATED']);
    // The limit is spent: the right password is refused everywhere.
    expect(errorCode(await one.gql(LOGIN, { u: 'target', p: PASSWORD }))).toBe('TOO_MANY_REQUESTS');
    expect(errorCode(await two.gql(LOGIN, { u: 'target', p: PASSWORD }))).toBe('TOO_MANY_REQUESTS');
    expect((await rest('POST', '/auth/login', { body: { username: 'target', password: PASSWORD } })).status).toBe(429);
    // Another account is not locked by it.
    await register(one.gql, 'bystander');
    expect((await two.gql(LOGIN, { u: 'bystander', p: PASSWORD })).errors).toBeUndefined();
  });
});

describe('refresh tokens', () => {
  it('lets one of two racing uses of a refresh token win, and revokes the family for both', async () => {
    const victim = await register(one.gql, 'raced');
    const [a, b] = await Promise.all([one.gql<{ refreshToken: { refreshToken: string } }>(REFRESH, { t: victim.refreshToken }), two.gql<{ refreshToken: { refreshToken: string } }>(REFRESH, { t: victim.refreshToken })]);
    const winners = [a, b].filter((r) => !r.errors);
    expect(winners).toHaveLength(1);
    expect([a, b].find((r) => r.errors)?.errors?.[0]?.message).toMatch(/^refresh token already used/);
    const next = await one.gql(REFRESH, { t: winners[0]!.data!.refreshToken.refreshToken });
    expect(next.errors?.[0]?.message).toBe('refresh token revoked: log in again');
  });

  it('gives a demoted admin only the user role on refresh', async () => {
    const carol = await register(one.gql, 'carol', { role: 'ADMIN', token: root.accessToken });
    expect(decodeJwt(carol.accessToken).role).toBe('admin');
    expect((await setRole(carol.userId, 'USER')).errors).toBeUndefined();
    const refreshed = await two.gql<{ refreshToken: { accessToken: string; user: { role: string } } }>(REFRESH, { t: carol.refreshToken });
    expect(refreshed.data?.refreshToken.user.role).toBe('USER');
    const token = refreshed.data!.refreshToken.accessToken;
    expect(decodeJwt(token).role).toBe('user');
    expect(errorCode(await one.gql(ADMIN_ONLY, {}, token))).toBe('FORBIDDEN');
    expect(errorCode(await two.gql(ADMIN_ONLY, {}, token))).toBe('FORBIDDEN');
  });

  it('refuses every credential of a deleted user: access token, refresh token, API key, WebSocket', async () => {
    const ghost = await register(one.gql, 'ghost');
    const key = await createApiKey(one.gql, ghost.accessToken, 'USER', 'ghost cli');
    expect((await one.gql('{ me { username } }', {}, key.key)).data).toEqual({ me: { username: 'ghost' } });
    await env.db.query('DELETE FROM users WHERE id = $1', [ghost.userId]);
    // The instance that served ghost caches the user for up to 2 s.
    await new Promise((r) => setTimeout(r, 2100));
    expect((await one.gql('{ me { username } }', {}, ghost.accessToken)).errors?.[0]?.message).toBe('account no longer exists');
    expect(errorCode(await one.gql(REFRESH, { t: ghost.refreshToken }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await one.gql('{ me { username } }', {}, key.key))).toBe('UNAUTHENTICATED');
    let closeCode = 0;
    const client = wsClient(one.url, ghost.accessToken, { onClose: (code) => (closeCode = code) });
    const feed = collectWs(client, 'subscription { readingRecorded { value } }');
    await feed.done;
    await client.dispose();
    expect(closeCode).toBe(4403);
  });
});

describe('scopes and escalation', () => {
  it('keeps a DEVICE key to recording over graphql-ws too: no live readings for it', async () => {
    const device = await createApiKey(one.gql, root.accessToken, 'DEVICE', 'fleet');
    const client = wsClient(one.url, device.key);
    try {
      const feed = collectWs(client, 'subscription { readingRecorded { value } }');
      await feed.done;
      expect(feed.items).toEqual([]);
      expect(feed.errors[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    } finally {
      await client.dispose();
    }
  });

  it('lets a USER key do what its owner may and no more, even when an admin made it', async () => {
    const key = await createApiKey(one.gql, root.accessToken, 'USER', 'read only');
    expect((await one.gql('{ readings { totalCount } }', {}, key.key)).data).toEqual({ readings: { totalCount: 0 } });
    for (const operation of [ADMIN_ONLY, 'mutation { deleteReadings(filter: { deviceCode: "A" }) { affected } }', 'mutation { createApiKey(name: "more", role: ADMIN) { key } }']) {
      expect(errorCode(await one.gql(operation, {}, key.key)), operation).toBe('FORBIDDEN');
    }
    const self = await one.gql<{ me: { id: string } }>('{ me { id } }', {}, key.key);
    expect(errorCode(await one.gql('mutation ($id: ID!) { setUserRole(userId: $id, role: ADMIN) { role } }', { id: self.data!.me.id }, key.key))).toBe('FORBIDDEN');
  });

  it('refuses a user making themselves admin, and role fields smuggled into REST registration (extra fields, __proto__)', async () => {
    const mallory = await register(one.gql, 'mallory');
    const promote = await one.gql('mutation ($id: ID!) { setUserRole(userId: $id, role: ADMIN) { role } }', { id: mallory.userId }, mallory.accessToken);
    expect(errorCode(promote)).toBe('FORBIDDEN');
    const attempts: [Record<string, unknown>, number, RegExp][] = [
      [{ username: 'mallory2', password: PASSWORD, role: 'admin' }, 403, /^only an admin may grant the admin role$/],
      [{ username: 'mallory3', password: PASSWORD, role: 'ADMIN' }, 400, /^role /],
      [{ username: 'mallory4', password: PASSWORD, role: 'user', is_admin: true }, 400, /^unknown field is_admin$/],
      [{ username: 'mallory5', password: PASSWORD, role: ['admin'] }, 400, /^role /],
    ];
    for (const [body, status, message] of attempts) {
      const response = await rest('POST', '/auth/register', { body, token: mallory.accessToken });
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.message).toMatch(message);
      expect((await env.db.query('SELECT 1 FROM users WHERE username = $1', [body.username])).rowCount).toBe(0);
    }
    // Prototype pollution through JSON: `__proto__` as a key of the body and of the criteria.
    const polluted = await rest('POST', '/auth/register', { raw: `{"username": "proto1", "password": "${PASSWORD}", "__proto__": {"role": "admin"}}` });
    expect(polluted).toMatchObject({ status: 400, body: { message: 'unknown field __proto__' } });
    expect((await env.db.query("SELECT 1 FROM users WHERE username = 'proto1'")).rowCount).toBe(0);
    expect(({} as { role?: string }).role).toBeUndefined();
    const { rows } = await env.db.query("SELECT username FROM users WHERE role = 'admin' ORDER BY username");
    expect(rows).toEqual([{ username: 'root' }]);
  });
});
