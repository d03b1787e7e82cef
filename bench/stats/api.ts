/**
 * The API alone, as a child process on the benchmark's database: readingStats reads the
 * tables only, so neither the projector nor a baseline server runs beside it.
 */
import { randomBytes } from 'node:crypto';
import type { StreamNames } from '../../schema/src/subjects.ts';
import { ADMIN, graphql } from '../query/stack.ts';
import { startChild, type Child } from '../support/children.ts';
import type { Cleanup } from '../support/cleanup.ts';
import { freePort } from '../support/free-port.ts';
import type { BenchEnv } from '../support/isolated.ts';

export interface Api {
  child: Child;
  url: string;
  /** `Bearer <token>` of the bootstrap admin. */
  authorization: string;
}

const READY_TIMEOUT_MS = 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startApi(env: BenchEnv, names: StreamNames, cleanup: Cleanup): Promise<Api> {
  const port = await freePort();
  const child = startChild('api', 'api/src/main.ts', {
    env: {
      ...env.childEnv(names),
      PORT: String(port),
      NODE_ENV: 'production',
      JWT_SECRET: randomBytes(32).toString('base64url'),
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      // One login at the start: a cheap hash is enough, and the token outlives a full run.
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      ACCESS_TOKEN_TTL_SECONDS: '86400',
    },
  });
  cleanup.defer('stop the API', () => child.stop().then(() => undefined));

  const base = `http://127.0.0.1:${port}`;
  const started = performance.now();
  while (!(await fetch(`${base}/readyz`).then((r) => r.ok, () => false))) {
    if (!child.running()) throw new Error(`the API exited while starting:\n${child.tail()}`);
    if (performance.now() - started > READY_TIMEOUT_MS) throw new Error(`the API was not ready after ${READY_TIMEOUT_MS / 1000} s:\n${child.tail()}`);
    await sleep(100);
  }
  const login = await graphql<{ login: { accessToken: string } }>(
    `${base}/graphql`,
    'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }',
    { u: ADMIN.username, p: ADMIN.password },
  );
  return { child, url: `${base}/graphql`, authorization: `Bearer ${login.login.accessToken}` };
}
