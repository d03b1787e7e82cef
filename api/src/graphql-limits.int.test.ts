/**
 * Limits that protect the API, applied before any resolver runs: depth, aliases,
 * tokens, cost, directives, batch size. The proof that nothing ran: a `login` in the
 * refused request would count a login attempt for the client address (and an
 * `updateReadings` would append an event), and the counts do not move. Also: login
 * throttling, introspection and GraphiQL switched off, health and readiness.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIMITS } from './graphql-server.ts';
import { startApiStack, type ApiStack } from '../../test/support/api.ts';
import { errorCode, PASSWORD, register, type Account } from '../../test/support/accounts.ts';
import { startBareApi, type BareApi } from '../../test/support/bare-api.ts';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';

const MAX_PER_ACCOUNT = 3;

let env: TestEnv;
let api: ApiStack;
let locked: BareApi;
let user: Account;

beforeAll(async () => {
  env = await createTestEnv();
  const throttle = { LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: String(MAX_PER_ACCOUNT), LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '10000' };
  api = await startApiStack(env, throttle);
  locked = await startBareApi(env, { ...throttle, INTROSPECTION: 'false', GRAPHIQL: 'false' });
  await register(api.gql, 'root');
  user = await register(api.gql, 'alice');
});

afterAll(async () => {
  await locked?.stop();
  await api?.stop();
  await env?.cleanup();
});

/** Login attempts counted for client addresses: every login resolver that runs adds one. */
async function addressAttempts(): Promise<number> {
  const { rows } = await env.db.query<{ n: number }>("SELECT coalesce(sum(attempts), 0)::int AS n FROM login_attempts WHERE key LIKE 'address:%'");
  return rows[0]!.n;
}

const streamMessages = async () => (await (await jetstreamManager(env.nc)).streams.info(env.names.stream)).state.messages;

async function post(body: unknown, token?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(api.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

const LOGIN = 'login(username: "nobody", password: "wrong password") { accessToken }';
const aliasedLogins = (n: number) => `mutation { ${Array.from({ length: n }, (_, i) => `a${i}: ${LOGIN}`).join(' ')} }`;
/** `__type { fields { type { ofType … { name } } } }`: depth 3 + ofTypes + 1. */
const deepQuery = (depth: number) => `query Deep { __type(name: "Query") { fields { type { ${'ofType { '.repeat(depth - 4)}name${' }'.repeat(depth - 4)} } } } }`;

interface Refusal {
  title: string;
  body: () => unknown;
  message: RegExp;
}

const refusals: Refusal[] = [
  {
    title: `a document with an operation deeper than ${LIMITS.depth}`,
    body: () => ({ query: `mutation Login { ${LOGIN} } ${deepQuery(LIMITS.depth + 1)}`, operationName: 'Login' }),
    message: new RegExp(`depth limit of ${LIMITS.depth} exceeded`),
  },
  {
    title: `more than ${LIMITS.aliases} aliases`,
    body: () => ({ query: aliasedLogins(LIMITS.aliases + 1) }),
    message: new RegExp(`Aliases limit of ${LIMITS.aliases} exceeded`),
  },
  {
    title: `more than ${LIMITS.tokens} tokens`,
    body: () => ({ query: `mutation { login(username: "nobody", password: "wrong password") { ${'accessToken '.repeat(LIMITS.tokens)} } }` }),
    message: new RegExp(`Token limit of ${LIMITS.tokens} exceeded`),
  },
  {
    title: `a document with an operation costing more than ${LIMITS.cost}`,
    body: () => ({ query: `mutation Login { ${LOGIN} } query Costly { ${Array.from({ length: 11 }, (_, i) => `p${i}: readings(first: 1000) { nodes { id value } }`).join(' ')} }`, operationName: 'Login' }),
    message: new RegExp(`Cost limit of ${LIMITS.cost} exceeded`),
  },
  {
    title: `more than ${LIMITS.directives} directives`,
    body: () => ({ query: `mutation { login(username: "nobody", password: "wrong password") ${'@skip(if: false) '.repeat(LIMITS.directives + 1)} { accessToken } }` }),
    message: new RegExp(`[Dd]irectives limit of ${LIMITS.directives} exceeded`),
  },
  {
    title: `a batch of more than ${LIMITS.batch} operations`,
    body: () => Array.from({ length: LIMITS.batch + 1 }, () => ({ query: `mutation { ${LOGIN} }` })),
    message: new RegExp(`Batching is limited to ${LIMITS.batch} operations`),
  },
];

function errorsOf(body: unknown): { message: string }[] {
  const single = body as { errors?: { message: string }[]; data?: unknown };
  return single.errors ?? [];
}

describe('limits', () => {
  it('counts a login attempt for a login that runs, so the probe below can see one', async () => {
    const before = await addressAttempts();
    const response = await post({ query: `mutation Login { ${LOGIN} } ${deepQuery(LIMITS.depth)}`, operationName: 'Login' });
    expect(errorsOf(response.body)[0]?.message).toBe('invalid username or password');
    expect(await addressAttempts()).toBe(before + 1);
  });

  it(`runs a request of ${LIMITS.aliases} aliases and a batch of ${LIMITS.batch}: the limits are not lower than stated`, async () => {
    const before = await addressAttempts();
    // Mutation fields run one after another and login is non-null: the first failure ends the request.
    const aliased = await post({ query: aliasedLogins(LIMITS.aliases) });
    expect(errorsOf(aliased.body)).toEqual([expect.objectContaining({ message: 'invalid username or password', path: ['a0'] })]);
    const batch = await post(Array.from({ length: LIMITS.batch }, () => ({ query: `mutation { ${LOGIN} }` })));
    expect(batch.body).toHaveLength(LIMITS.batch);
    expect(await addressAttempts()).toBe(before + 1 + LIMITS.batch);
  });

  for (const { title, body, message } of refusals) {
    it(`refuses ${title} before any resolver runs`, async () => {
      const before = await addressAttempts();
      const response = await post(body());
      expect(errorsOf(response.body)[0]?.message).toMatch(message);
      expect((response.body as { data?: unknown }).data ?? null).toBeNull();
      expect(await addressAttempts()).toBe(before);
    });
  }

  it('appends no change event for a refused batch of updates', async () => {
    const before = await streamMessages();
    const update = { query: 'mutation { updateReadings(filter: { deviceCode: "LIMIT" }, changes: { value: 1 }) { affected } }' };
    const response = await post(Array(LIMITS.batch + 1).fill(update), user.accessToken);
    expect(errorsOf(response.body)[0]?.message).toMatch(/Batching is limited/);
    expect(await streamMessages()).toBe(before);
  });
});

describe('login throttling', () => {
  const attempt = (username: string, password: string) => api.gql(`mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }`, { u: username, p: password });

  it(`answers TOO_MANY_REQUESTS after ${MAX_PER_ACCOUNT} failed logins, even to the right password`, async () => {
    await register(api.gql, 'throttled');
    const codes = [];
    for (let i = 0; i <= MAX_PER_ACCOUNT; i++) codes.push(errorCode(await attempt('throttled', 'wrong password')));
    expect(codes).toEqual([...Array(MAX_PER_ACCOUNT).fill('UNAUTHENTICATED'), 'TOO_MANY_REQUESTS']);
    expect(errorCode(await attempt('THROTTLED', PASSWORD))).toBe('TOO_MANY_REQUESTS');
  });

  it('lets an aliased request make one failed attempt only, and throttles aliased requests like any other', async () => {
    await register(api.gql, 'aliased');
    const aliases = Array.from({ length: 2 * MAX_PER_ACCOUNT }, (_, i) => `a${i}: login(username: "aliased", password: "wrong password ${i}") { accessToken }`);
    const query = `mutation { ${aliases.join(' ')} }`;
    const codes = [];
    for (let i = 0; i <= MAX_PER_ACCOUNT; i++) {
      const response = await api.gql(query);
      expect(response.errors).toHaveLength(1);
      codes.push(errorCode(response));
    }
    expect(codes).toEqual([...Array(MAX_PER_ACCOUNT).fill('UNAUTHENTICATED'), 'TOO_MANY_REQUESTS']);
    const { rows } = await env.db.query("SELECT attempts FROM login_attempts WHERE key = 'account:aliased'");
    expect(rows).toEqual([{ attempts: MAX_PER_ACCOUNT + 1 }]);
  });

  it('counts the logins of one batched request, run in parallel, against the same limit', async () => {
    await register(api.gql, 'batched');
    const batch = Array.from({ length: 2 * MAX_PER_ACCOUNT }, () => ({ query: 'mutation { login(username: "batched", password: "wrong password") { accessToken } }' }));
    const response = await post(batch);
    const codes = (response.body as { errors?: { extensions?: { code?: string } }[] }[]).map((r) => r.errors?.[0]?.extensions?.code).sort();
    expect(codes).toEqual([...Array(MAX_PER_ACCOUNT).fill('TOO_MANY_REQUESTS'), ...Array(MAX_PER_ACCOUNT).fill('UNAUTHENTICATED')]);
  });

  it('counts parallel requests against the same limit', async () => {
    await register(api.gql, 'parallel');
    const responses = await Promise.all(Array.from({ length: 2 * MAX_PER_ACCOUNT }, () => attempt('parallel', 'wrong password')));
    expect(responses.map(errorCode).sort()).toEqual([...Array(MAX_PER_ACCOUNT).fill('TOO_MANY_REQUESTS'), ...Array(MAX_PER_ACCOUNT).fill('UNAUTHENTICATED')]);
  });

  it('starts counting again after a successful login', async () => {
    await register(api.gql, 'forgetful');
    for (let i = 1; i < MAX_PER_ACCOUNT; i++) expect(errorCode(await attempt('forgetful', 'wrong password'))).toBe('UNAUTHENTICATED');
    expect((await attempt('forgetful', PASSWORD)).errors).toBeUndefined();
    for (let i = 1; i < MAX_PER_ACCOUNT; i++) expect(errorCode(await attempt('forgetful', 'wrong password'))).toBe('UNAUTHENTICATED');
  });

  it('answers an unknown user exactly as a wrong password', async () => {
    await register(api.gql, 'known');
    const unknown = await attempt('unknown_user', 'wrong password');
    const wrong = await attempt('known', 'wrong password');
    expect(unknown.errors).toEqual(wrong.errors);
    expect(unknown.errors?.[0]).toMatchObject({ message: 'invalid username or password', extensions: { code: 'UNAUTHENTICATED' } });
    expect(unknown.status).toBe(wrong.status);
  });
});

describe('introspection and GraphiQL', () => {
  const graphiql = (url: string) => fetch(url, { headers: { accept: 'text/html' } });
  const INTROSPECTION = '{ __schema { queryType { name } } }';

  it('answers introspection and serves GraphiQL by default', async () => {
    expect((await api.gql(INTROSPECTION)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const page = await graphiql(api.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/Sensor platform/);
  });

  it('refuses introspection when INTROSPECTION=false', async () => {
    for (const query of [INTROSPECTION, '{ __type(name: "Query") { name } }']) {
      const response = await locked.gql(query);
      expect(response.data ?? null).toBeNull();
      expect(response.errors?.[0]?.message).toMatch(/introspection has been disabled/);
    }
    expect((await locked.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('serves no GraphiQL when GRAPHIQL=false', async () => {
    const page = await graphiql(locked.url);
    expect(page.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(await page.text()).not.toMatch(/graphiql/i);
  });
});

describe('health', () => {
  it('answers /healthz with 200', async () => {
    const response = await fetch(new URL('/healthz', api.url));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 when Postgres, NATS and the projector are well', async () => {
    const response = await fetch(new URL('/readyz', api.url));
    expect(await response.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', nats: 'ok', projector: 'ok' } });
    expect(response.status).toBe(200);
  });
});
