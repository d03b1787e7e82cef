/**
 * Roles over time: the first account ever registered becomes ADMIN, later ones USER;
 * an admin promotes and demotes; and a token issued before a role change follows the
 * new role, because the API re-reads the user on each request. The instance that made
 * the change forgets its cached user at once; another instance within its 2 s cache.
 * (The ADMIN_USERNAME bootstrap is covered in schema/authorization.int.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../../../../test/support/api.ts';
import { errorCode, login, register, type Account, type Gql } from '../../../../test/support/accounts.ts';
import { startBareApi, type BareApi } from '../../../../test/support/bare-api.ts';
import { createTestEnv, type TestEnv } from '../../../../test/support/env.ts';

const JWT_SECRET = 'roles-test-secret-roles-test-secret-00001';
const USER_CACHE_MS = 2000;

let env: TestEnv;
let api: ApiStack;
/** A second API instance on the same database, with its own user cache. */
let other: BareApi;
let first: Account;
let second: Account;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env, { JWT_SECRET });
  other = await startBareApi(env, { JWT_SECRET });
  first = await register(api.gql, 'first', { role: 'USER' });
  second = await register(api.gql, 'second');
});

afterAll(async () => {
  await other?.stop();
  await api?.stop();
  await env?.cleanup();
});

const setRole = (userId: string, role: 'ADMIN' | 'USER', token: string) =>
  api.gql<{ setUserRole: { username: string; role: string } }>('mutation ($id: ID!, $role: Role!) { setUserRole(userId: $id, role: $role) { username role } }', { id: userId, role }, token);

/** An admin-only mutation: FORBIDDEN, or null when it was allowed. */
async function deleteAsAdmin(gql: Gql, token: string): Promise<string | null> {
  const response = await gql('mutation { deleteReadings(filter: { deviceCode: "NOTHING" }) { affected } }', {}, token);
  if (response.errors) return errorCode(response);
  expect(response.data).toEqual({ deleteReadings: { affected: 0 } });
  return null;
}

describe('roles', () => {
  it('makes the first registered account ADMIN, even when it asked for USER, and the second USER', () => {
    expect([first.role, second.role]).toEqual(['ADMIN', 'USER']);
  });

  it('lets an admin promote a user, whose existing token gains admin rights at once', async () => {
    expect(await deleteAsAdmin(api.gql, second.accessToken)).toBe('FORBIDDEN');
    const promoted = await setRole(second.userId, 'ADMIN', first.accessToken);
    expect(promoted.data).toEqual({ setUserRole: { username: 'second', role: 'ADMIN' } });
    expect(await deleteAsAdmin(api.gql, second.accessToken)).toBeNull();
    expect((await api.gql('{ me { role } }', {}, second.accessToken)).data).toEqual({ me: { role: 'ADMIN' } });
  });

  it("takes admin rights from a demoted admin's existing token at once on the instance that demoted it, and within the user cache on another", async () => {
    await setRole(second.userId, 'ADMIN', first.accessToken);
    // Both instances have seen (and cached) second as an admin.
    expect(await deleteAsAdmin(api.gql, second.accessToken)).toBeNull();
    expect(await deleteAsAdmin(other.gql, second.accessToken)).toBeNull();

    const demoted = await setRole(second.userId, 'USER', first.accessToken);
    const demotedAt = Date.now();
    expect(demoted.data).toEqual({ setUserRole: { username: 'second', role: 'USER' } });
    expect(await deleteAsAdmin(api.gql, second.accessToken)).toBe('FORBIDDEN');

    let refusedAfterMs = -1;
    while (Date.now() - demotedAt < USER_CACHE_MS + 1500) {
      if ((await other.gql('{ users { id } }', {}, second.accessToken)).errors) {
        refusedAfterMs = Date.now() - demotedAt;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(refusedAfterMs).toBeGreaterThanOrEqual(0);
    expect(refusedAfterMs).toBeLessThanOrEqual(USER_CACHE_MS + 500);
    expect(await deleteAsAdmin(other.gql, second.accessToken)).toBe('FORBIDDEN');
  });

  it('issues tokens with the new role after a demotion', async () => {
    const fresh = await login(api.gql, 'second');
    expect(fresh.role).toBe('USER');
    expect(errorCode(await api.gql('{ users { id } }', {}, fresh.accessToken))).toBe('FORBIDDEN');
  });

  it('refuses to let the last admin demote themselves', async () => {
    const response = await setRole(first.userId, 'USER', first.accessToken);
    expect(response.errors?.[0]).toMatchObject({ message: 'you are the last admin: make someone else admin first', extensions: { code: 'BAD_USER_INPUT', field: 'role' } });
    expect((await api.gql('{ me { role } }', {}, first.accessToken)).data).toEqual({ me: { role: 'ADMIN' } });
  });

  it('answers NOT_FOUND for a role change of an unknown user', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      expect(errorCode(await setRole(id, 'ADMIN', first.accessToken))).toBe('NOT_FOUND');
    }
  });
});
