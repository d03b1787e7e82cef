/**
 * Access tokens under attack, and refresh-token rotation, against a running API. Every
 * forged token differs from a valid one in exactly one respect; the first test shows
 * that the same builder with nothing changed is accepted.
 */
import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../../../../test/support/api.ts';
import { errorCode, login, register, type Account } from '../../../../test/support/accounts.ts';
import { createTestEnv, type TestEnv } from '../../../../test/support/env.ts';
import { hashSecret } from './secrets.ts';

const SECRET = 'tokens-test-secret-tokens-test-secret-0001';
const ISSUER = 'sensor-platform-test';
const AUDIENCE = 'sensor-api-test';

let env: TestEnv;
let api: ApiStack;
let alice: Account;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env, { JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '1000' });
  await register(api.gql, 'root');
  alice = await register(api.gql, 'alice');
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const nowSeconds = () => Math.floor(Date.now() / 1000);

interface Forgery {
  alg?: string;
  typ?: string;
  secret?: string;
  issuer?: string;
  audience?: string;
  exp?: number;
  role?: string;
  sub?: string;
}

/** An access token for alice as the API would issue it, except for what `forgery` changes. */
async function accessToken(forgery: Forgery = {}): Promise<string> {
  const iat = nowSeconds();
  return new SignJWT({ role: forgery.role ?? 'user' })
    .setProtectedHeader({ alg: forgery.alg ?? 'HS256', typ: forgery.typ ?? 'at+jwt' })
    .setSubject(forgery.sub ?? alice.userId)
    .setIssuer(forgery.issuer ?? ISSUER)
    .setAudience(forgery.audience ?? AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(forgery.exp ?? iat + 300)
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(forgery.secret ?? SECRET));
}

async function me(authorization: string | undefined) {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
    body: JSON.stringify({ query: '{ me { username } }' }),
  });
  return (await response.json()) as { data?: { me: { username: string } | null } | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

const refresh = (token: string) =>
  api.gql<{ refreshToken: { accessToken: string; refreshToken: string } }>('mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken refreshToken } }', { t: token });

describe('access tokens', () => {
  it('accepts a token built like the forgeries below but with nothing changed', async () => {
    expect((await me(`Bearer ${await accessToken()}`)).data).toEqual({ me: { username: 'alice' } });
  });

  it('accepts the token the API issued at registration', async () => {
    expect((await me(`Bearer ${alice.accessToken}`)).data).toEqual({ me: { username: 'alice' } });
  });

  it('rejects an alg:none token with UNAUTHENTICATED', async () => {
    const iat = nowSeconds();
    const payload = { role: 'admin', sub: alice.userId, iss: ISSUER, aud: AUDIENCE, iat, exp: iat + 300, jti: randomUUID() };
    const token = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(payload)}.`;
    const response = await me(`Bearer ${token}`);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0]?.message).toBe('invalid access token');
  });

  it.each([
    ['signed with another key', { secret: 'another-secret-another-secret-another-secret' }],
    ['signed with HS512 and the right key', { alg: 'HS512' }],
    ['for another audience', { audience: 'some-other-api' }],
    ['from another issuer', { issuer: 'evil-issuer' }],
    ['typed JWT instead of at+jwt', { typ: 'JWT' }],
    ['for a user id that is not a uuid', { sub: 'not-a-user' }],
  ] as [string, Forgery][])('rejects a token %s with UNAUTHENTICATED', async (_what, forgery) => {
    const response = await me(`Bearer ${await accessToken(forgery)}`);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.data?.me ?? null).toBeNull();
  });

  it('rejects an expired token with UNAUTHENTICATED and says it expired', async () => {
    const response = await me(`Bearer ${await accessToken({ exp: nowSeconds() - 60 })}`);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0]?.message).toBe('access token expired: refresh it or log in again');
  });

  it('rejects a refresh token presented as an access token', async () => {
    const response = await me(`Bearer ${alice.refreshToken}`);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it.each([
    ['a garbage bearer token', 'Bearer garbage'],
    ['a bearer token of three garbage parts', 'Bearer aaa.bbb.ccc'],
    ['"Bearer" alone', 'Bearer'],
    ['a Basic credential', 'Basic YWxpY2U6cGFzc3dvcmQ='],
    ['two tokens', 'Bearer abc def'],
    ['a token without the Bearer scheme', 'eyJhbGciOiJIUzI1NiJ9.e30.x'],
    ['an API key that does not exist', `Bearer sk_${randomUUID()}_${'A'.repeat(43)}`],
  ])('rejects %s in the Authorization header with UNAUTHENTICATED', async (_what, authorization) => {
    const response = await me(authorization);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.data?.me ?? null).toBeNull();
  });

  it('re-reads the role instead of trusting a role claim', async () => {
    const token = await accessToken({ role: 'admin' });
    const users = await api.gql('{ users { username } }', {}, token);
    expect(errorCode(users)).toBe('FORBIDDEN');
  });

  it('rejects the valid token of an account that no longer exists', async () => {
    const ghost = await register(api.gql, 'ghost');
    await env.db.query('DELETE FROM users WHERE id = $1', [ghost.userId]);
    const response = await me(`Bearer ${ghost.accessToken}`);
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0]?.message).toBe('account no longer exists');
  });
});

describe('refresh tokens', () => {
  it('trades a refresh token once for a working pair', async () => {
    const session = await login(api.gql, 'alice');
    const first = await refresh(session.refreshToken);
    expect(first.errors).toBeUndefined();
    expect(first.data?.refreshToken.refreshToken).not.toBe(session.refreshToken);
    expect((await me(`Bearer ${first.data!.refreshToken.accessToken}`)).data).toEqual({ me: { username: 'alice' } });
    const second = await refresh(first.data!.refreshToken.refreshToken);
    expect(second.errors).toBeUndefined();
  });

  it('refuses a rotated token and revokes its whole family, leaving other sessions alone', async () => {
    const session = await login(api.gql, 'alice');
    const other = await login(api.gql, 'alice');
    const rotated = await refresh(session.refreshToken);
    const newest = rotated.data!.refreshToken.refreshToken;

    const reuse = await refresh(session.refreshToken);
    expect(errorCode(reuse)).toBe('UNAUTHENTICATED');
    expect(reuse.errors?.[0]?.message).toMatch(/^refresh token already used/);

    const afterReuse = await refresh(newest);
    expect(errorCode(afterReuse)).toBe('UNAUTHENTICATED');
    expect(afterReuse.errors?.[0]?.message).toBe('refresh token revoked: log in again');

    expect((await refresh(other.refreshToken)).errors).toBeUndefined();
  });

  it('refuses an unknown refresh token', async () => {
    const response = await refresh('not-a-refresh-token');
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0]?.message).toBe('invalid refresh token');
  });

  it('refuses an expired refresh token', async () => {
    const session = await login(api.gql, 'alice');
    await env.db.query("UPDATE refresh_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [hashSecret(session.refreshToken)]);
    const response = await refresh(session.refreshToken);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0]?.message).toBe('refresh token expired: log in again');
  });

  it('revokes the session on logout', async () => {
    const session = await login(api.gql, 'alice');
    const rotated = (await refresh(session.refreshToken)).data!.refreshToken;
    const logout = await api.gql('mutation ($t: String!) { logout(refreshToken: $t) }', { t: rotated.refreshToken }, rotated.accessToken);
    expect(logout.data).toEqual({ logout: true });
    const response = await refresh(rotated.refreshToken);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0]?.message).toBe('refresh token revoked: log in again');
  });

  it("does not log out another user's session", async () => {
    const rootSession = await login(api.gql, 'root');
    const logout = await api.gql('mutation ($t: String!) { logout(refreshToken: $t) }', { t: rootSession.refreshToken }, alice.accessToken);
    expect(logout.data).toEqual({ logout: false });
    expect((await refresh(rootSession.refreshToken)).errors).toBeUndefined();
  });
});
