/**
 * The processes under test, each a child as in production: the real API and projector on
 * the benchmark's database and stream, and the bare graphql-yoga baseline server.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { PROJECTOR_CONSUMER, type StreamNames } from '../../schema/src/subjects.ts';
import { startChild, type Child } from '../support/children.ts';
import type { Cleanup } from '../support/cleanup.ts';
import { freePort } from '../support/free-port.ts';
import type { BenchEnv } from '../support/isolated.ts';

export const ADMIN = { username: 'bench-admin', password: randomBytes(12).toString('base64url') };

export interface Stack {
  api: Child;
  projector: Child;
  hello: Child;
  apiUrl: string;
  helloUrl: string;
  /** `Bearer <token>` of the bootstrap admin. */
  authorization: string;
  /** Where the API's CPU profile goes when profiling, else null. */
  profileDir: string | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(child: Child, what: string, ready: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const started = performance.now();
  for (;;) {
    if (!child.running()) throw new Error(`${child.name} exited while starting:\n${child.tail()}`);
    if (await ready().catch(() => false)) return;
    if (performance.now() - started > timeoutMs) throw new Error(`${what} not ready after ${timeoutMs / 1000} s:\n${child.tail()}`);
    await sleep(100);
  }
}

export async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}, authorization?: string): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string }> };
  if (!response.ok || body.errors?.length || !body.data) throw new Error(`GraphQL ${response.status}: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

export async function startStack(env: BenchEnv, names: StreamNames, cleanup: Cleanup, options: { profileDir: string | null }): Promise<Stack> {
  const childEnv = env.childEnv(names);
  const projector = startChild('projector', 'projector/src/main.ts', { env: childEnv });
  cleanup.defer('stop the projector', () => projector.stop().then(() => undefined));

  const apiPort = await freePort();
  const profileDir = options.profileDir ? join(options.profileDir, 'api') : null;
  const api = startChild('api', 'api/src/main.ts', {
    env: {
      ...childEnv,
      PORT: String(apiPort),
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(32).toString('base64url'),
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      // One login at the start: a cheap hash is enough, and the token outlives a full run.
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      ACCESS_TOKEN_TTL_SECONDS: '86400',
    },
    execArgv: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  });
  cleanup.defer('stop the API', () => api.stop().then(() => undefined));

  const helloPort = await freePort();
  const hello = startChild('hello', 'bench/query/hello-server.ts', { env: { PORT: String(helloPort) } });
  cleanup.defer('stop the baseline server', () => hello.stop().then(() => undefined));

  const apiBase = `http://127.0.0.1:${apiPort}`;
  const helloUrl = `http://127.0.0.1:${helloPort}/graphql`;
  await waitFor(api, 'the API', async () => (await fetch(`${apiBase}/readyz`)).ok);
  await waitFor(hello, 'the baseline server', async () => (await fetch(`${helloUrl}?query=%7Bhello%7D`)).ok);
  await waitFor(projector, 'the projector', async () => {
    const result = await env.db.query('SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND application_name = $2', [env.databaseName, 'projector']);
    return (result.rowCount ?? 0) > 0 && (await env.jsm.consumers.info(names.stream, PROJECTOR_CONSUMER).then(() => true));
  });

  const login = await graphql<{ login: { accessToken: string } }>(
    `${apiBase}/graphql`,
    'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }',
    { u: ADMIN.username, p: ADMIN.password },
  );
  return { api, projector, hello, apiUrl: `${apiBase}/graphql`, helloUrl, authorization: `Bearer ${login.login.accessToken}`, profileDir };
}
