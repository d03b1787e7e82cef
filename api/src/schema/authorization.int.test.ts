/**
 * Every operation × every kind of caller: allowed (with the answer checked), or refused
 * with UNAUTHENTICATED / FORBIDDEN in `errors[0].extensions.code`. The API starts with a
 * bootstrap admin (ADMIN_USERNAME/ADMIN_PASSWORD), so self-registration gives USER.
 */
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { createApiKey, errorCode, login, PASSWORD, register, type Account } from '../../../test/support/accounts.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { publishEvents, reading } from '../../../test/support/events.ts';
import { publishLogLines } from '../../../test/support/logs.ts';

type Role = 'anonymous' | 'user' | 'admin' | 'device';
type Outcome = 'allowed' | 'UNAUTHENTICATED' | 'FORBIDDEN';
const ROLES: Role[] = ['anonymous', 'user', 'admin', 'device'];
const WHO: Record<Role, string> = { anonymous: 'an anonymous caller', user: 'a user', admin: 'an admin', device: 'a device key' };

let env: TestEnv;
let api: ApiStack;
let admin: Account;
let alice: Account;
let bob: Account;
let deviceKey: string;
let aliceKeyId: string;
let readingId: string;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env, { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: PASSWORD, LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '1000' });
  admin = await login(api.gql, 'root');
  alice = await register(api.gql, 'alice');
  bob = await register(api.gql, 'bob');
  deviceKey = (await createApiKey(api.gql, admin.accessToken, 'DEVICE', 'sensor fleet')).key;
  aliceKeyId = (await createApiKey(api.gql, alice.accessToken, 'USER', 'alice cli')).id;
  const seqs = await publishEvents(jetstream(env.nc), env.names, [reading({ deviceCode: 'AUTHZ', value: 20 }), reading({ deviceCode: 'AUTHZ', value: 21 })]);
  await api.projector.waitFor(seqs.at(-1)!, 10_000);
  readingId = String(seqs[0]);
  await publishLogLines(env.nc, env.names, 'AUTHZ', 1, [{ level: 'warning', message: 'battery low' }]);
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

/** The credential each kind of caller sends. */
function credential(role: Role): string | undefined {
  return { anonymous: undefined, user: alice.accessToken, admin: admin.accessToken, device: deviceKey }[role];
}

/** The account a caller acts for: a device key acts for the admin who created it. */
const actingAs = (role: Exclude<Role, 'anonymous'>) => ({ user: alice, admin, device: admin })[role];

const anyone: Record<Role, Outcome> = { anonymous: 'allowed', user: 'allowed', admin: 'allowed', device: 'allowed' };
const authenticated: Record<Role, Outcome> = { anonymous: 'UNAUTHENTICATED', user: 'allowed', admin: 'allowed', device: 'allowed' };
const people: Record<Role, Outcome> = { anonymous: 'UNAUTHENTICATED', user: 'allowed', admin: 'allowed', device: 'FORBIDDEN' };
const admins: Record<Role, Outcome> = { anonymous: 'UNAUTHENTICATED', user: 'FORBIDDEN', admin: 'allowed', device: 'FORBIDDEN' };

interface Operation {
  name: string;
  query: string;
  variables?: (role: Role) => Promise<Record<string, unknown>> | Record<string, unknown>;
  expected: Record<Role, Outcome>;
  /** What an allowed call answers, matched with toMatchObject. */
  answer: (role: Role) => Record<string, unknown>;
}

const operations: Operation[] = [
  {
    name: 'me',
    query: '{ me { username } }',
    expected: authenticated,
    answer: (role) => ({ me: { username: actingAs(role as Exclude<Role, 'anonymous'>).username } }),
  },
  {
    name: 'users',
    query: '{ users { username role } }',
    expected: admins,
    answer: () => ({
      users: expect.arrayContaining([
        { username: 'root', role: 'ADMIN' },
        { username: 'alice', role: 'USER' },
      ]),
    }),
  },
  {
    name: 'apiKeys',
    query: '{ apiKeys { name role } }',
    expected: people,
    answer: (role) => ({ apiKeys: expect.arrayContaining([role === 'user' ? { name: 'alice cli', role: 'USER' } : { name: 'sensor fleet', role: 'DEVICE' }]) }),
  },
  {
    name: 'readings',
    query: '{ readings(filter: { deviceCode: "AUTHZ" }) { totalCount nodes { deviceCode } } }',
    expected: people,
    answer: () => ({ readings: { totalCount: 2, nodes: [{ deviceCode: 'AUTHZ' }, { deviceCode: 'AUTHZ' }] } }),
  },
  {
    name: 'deletedReadings',
    query: '{ deletedReadings { totalCount nodes { id } } }',
    expected: admins,
    answer: () => ({ deletedReadings: { totalCount: 0, nodes: [] } }),
  },
  {
    name: 'reading',
    query: 'query ($id: ID!) { reading(id: $id) { id value } }',
    variables: () => ({ id: readingId }),
    expected: people,
    answer: () => ({ reading: { id: readingId, value: 20 } }),
  },
  {
    name: 'systemStatus',
    query: '{ systemStatus { streamName lag } }',
    expected: people,
    answer: () => ({ systemStatus: { streamName: env.names.stream, lag: 0 } }),
  },
  {
    name: 'deviceLogs',
    query: '{ deviceLogs(device: { deviceCode: "AUTHZ", deviceNumber: 1 }) { nodes { level message } } }',
    expected: people,
    answer: () => ({ deviceLogs: { nodes: [{ level: 'WARNING', message: 'battery low' }] } }),
  },
  {
    name: 'setDeviceLogLevel',
    query: 'mutation { setDeviceLogLevel(deviceCode: "AUTHZ", deviceNumber: 1, level: ERROR) { applied } }',
    expected: admins,
    answer: () => ({ setDeviceLogLevel: { applied: true } }),
  },
  {
    name: 'register',
    query: 'mutation ($username: String!, $password: String!) { register(username: $username, password: $password) { user { username role } } }',
    variables: (role) => ({ username: `plain_${role}`, password: PASSWORD }),
    expected: anyone,
    answer: (role) => ({ register: { user: { username: `plain_${role}`, role: 'USER' } } }),
  },
  {
    name: 'register with role ADMIN',
    query: 'mutation ($username: String!, $password: String!) { register(username: $username, password: $password, role: ADMIN) { user { username role } } }',
    variables: (role) => ({ username: `boss_${role}`, password: PASSWORD }),
    expected: { anonymous: 'FORBIDDEN', user: 'FORBIDDEN', admin: 'allowed', device: 'FORBIDDEN' },
    answer: (role) => ({ register: { user: { username: `boss_${role}`, role: 'ADMIN' } } }),
  },
  {
    name: 'login',
    query: 'mutation ($password: String!) { login(username: "bob", password: $password) { accessToken user { username } } }',
    variables: () => ({ password: PASSWORD }),
    expected: anyone,
    answer: () => ({ login: { accessToken: expect.stringMatching(/^ey/), user: { username: 'bob' } } }),
  },
  {
    name: 'refreshToken',
    query: 'mutation ($token: String!) { refreshToken(refreshToken: $token) { refreshToken user { username } } }',
    variables: async (role) => ({ token: (await register(api.gql, `refresh_${role}`)).refreshToken }),
    expected: anyone,
    answer: (role) => ({ refreshToken: { refreshToken: expect.any(String), user: { username: `refresh_${role}` } } }),
  },
  {
    name: 'logout',
    query: 'mutation ($token: String!) { logout(refreshToken: $token) }',
    variables: async (role) => ({ token: (await login(api.gql, role === 'anonymous' ? 'alice' : actingAs(role).username)).refreshToken }),
    // A device key may not end its owner's session.
    expected: people,
    answer: () => ({ logout: true }),
  },
  {
    name: 'setUserRole',
    query: 'mutation ($id: ID!) { setUserRole(userId: $id, role: USER) { username role } }',
    variables: () => ({ id: bob.userId }),
    expected: admins,
    answer: () => ({ setUserRole: { username: 'bob', role: 'USER' } }),
  },
  {
    name: 'createApiKey with role USER',
    query: 'mutation { createApiKey(name: "cli", role: USER) { key apiKey { role } } }',
    expected: people,
    answer: () => ({ createApiKey: { key: expect.stringMatching(/^sk_/), apiKey: { role: 'USER' } } }),
  },
  {
    name: 'createApiKey with role DEVICE',
    query: 'mutation { createApiKey(name: "fleet", role: DEVICE) { key apiKey { role } } }',
    expected: { anonymous: 'UNAUTHENTICATED', user: 'FORBIDDEN', admin: 'allowed', device: 'FORBIDDEN' },
    answer: () => ({ createApiKey: { key: expect.stringMatching(/^sk_/), apiKey: { role: 'DEVICE' } } }),
  },
  {
    name: 'revokeApiKey',
    query: 'mutation ($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }',
    // People revoke a key of their own; the others try alice's.
    variables: async (role) => ({ id: role === 'user' || role === 'admin' ? (await createApiKey(api.gql, credential(role)!, 'USER', 'to revoke')).id : aliceKeyId }),
    expected: people,
    answer: () => ({ revokeApiKey: { revokedAt: expect.any(String) } }),
  },
  {
    name: 'updateReadings',
    query: 'mutation { updateReadings(filter: { deviceCode: "NOMATCH" }, changes: { value: 1 }) { affected } }',
    expected: people,
    answer: () => ({ updateReadings: { affected: 0 } }),
  },
  {
    name: 'deleteReadings',
    query: 'mutation { deleteReadings(filter: { deviceCode: "NOMATCH" }) { affected } }',
    expected: admins,
    answer: () => ({ deleteReadings: { affected: 0 } }),
  },
  {
    name: 'restoreReadings',
    query: 'mutation { restoreReadings(filter: { deviceCode: "NOMATCH" }) { affected } }',
    expected: admins,
    answer: () => ({ restoreReadings: { affected: 0 } }),
  },
];

const cases = operations.flatMap((operation) =>
  ROLES.map((role) => {
    const outcome = operation.expected[role];
    const title = outcome === 'allowed' ? `lets ${WHO[role]} run ${operation.name}` : `refuses ${operation.name} to ${WHO[role]} with ${outcome}`;
    return { title, operation, role, outcome };
  }),
);

describe('authorization of every operation', () => {
  for (const { title, operation, role, outcome } of cases) {
    it(title, async () => {
      const variables = operation.variables ? await operation.variables(role) : undefined;
      const response = await api.gql(operation.query, variables, credential(role));
      if (outcome === 'allowed') {
        expect(response.errors).toBeUndefined();
        expect(response.data).toMatchObject(operation.answer(role));
      } else {
        expect(errorCode(response)).toBe(outcome);
        expect(response.errors?.[0]?.path).toEqual([operation.name.split(' ')[0]]);
        // A refused root field answers null (or no data at all), never a partial object.
        for (const value of Object.values(response.data ?? {})) expect(value).toBeNull();
      }
    });
  }
});

describe('bootstrap admin and key ownership', () => {
  it('creates the ADMIN_USERNAME account as ADMIN at start, and it can log in', async () => {
    expect(admin.role).toBe('ADMIN');
    expect(admin.username).toBe('root');
    const { rows } = await env.db.query("SELECT username, role FROM users WHERE role = 'admin' ORDER BY created_at LIMIT 1");
    expect(rows).toEqual([{ username: 'root', role: 'admin' }]);
  });

  it('gives USER to accounts self-registered after the bootstrap admin', () => {
    expect([alice.role, bob.role]).toEqual(['USER', 'USER']);
  });

  it('does not create a second bootstrap admin when users exist', async () => {
    expect(await api.app.services.auth.ensureBootstrapAdmin('another_root', PASSWORD)).toBe(false);
    const { rows } = await env.db.query("SELECT count(*)::int AS n FROM users WHERE username = 'another_root'");
    expect(rows[0].n).toBe(0);
  });

  it("answers NOT_FOUND when a user revokes another user's key, and leaves the key valid", async () => {
    const bobKey = await createApiKey(api.gql, bob.accessToken, 'USER', 'bob cli');
    const response = await api.gql('mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: bobKey.id }, alice.accessToken);
    expect(errorCode(response)).toBe('NOT_FOUND');
    const me = await api.gql<{ me: { username: string } }>('{ me { username } }', {}, bobKey.key);
    expect(me.data?.me.username).toBe('bob');
  });

  it('refuses a revoked API key with UNAUTHENTICATED', async () => {
    const key = await createApiKey(api.gql, alice.accessToken, 'USER', 'short-lived');
    expect((await api.gql('{ me { username } }', {}, key.key)).data).toEqual({ me: { username: 'alice' } });
    await api.gql('mutation ($id: ID!) { revokeApiKey(id: $id) { id } }', { id: key.id }, alice.accessToken);
    const response = await api.gql('{ me { username } }', {}, key.key);
    expect(errorCode(response)).toBe('UNAUTHENTICATED');
    expect(response.errors?.[0]?.message).toBe('API key revoked');
  });

  it('lets an ADMIN key of a demoted admin act only as a user', async () => {
    const carol = await register(api.gql, 'carol', { role: 'ADMIN', token: admin.accessToken });
    const key = await createApiKey(api.gql, carol.accessToken, 'ADMIN', 'carol admin key');
    expect((await api.gql('{ users { username } }', {}, key.key)).errors).toBeUndefined();
    await api.gql('mutation ($id: ID!) { setUserRole(userId: $id, role: USER) { role } }', { id: carol.userId }, admin.accessToken);
    expect(errorCode(await api.gql('{ users { username } }', {}, key.key))).toBe('FORBIDDEN');
    expect((await api.gql('{ readings { totalCount } }', {}, key.key)).errors).toBeUndefined();
  });
});
