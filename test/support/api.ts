/** A real API (and projector) started in-process on an isolated test environment. */
import { createLogger } from '../../schema/src/log.ts';
import { buildApp, type App } from '../../api/src/app.ts';
import { loadApiEnv } from '../../api/src/config.ts';
import type { Projector } from '../../projector/src/projector.ts';
import { startProjector } from './projector.ts';
import type { TestEnv } from './env.ts';

export interface ApiStack {
  app: App;
  projector: Projector;
  url: string;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResponse<T>>;
  stop(): Promise<void>;
}

export interface GqlResponse<T> {
  status: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown>; path?: string[] }[];
}

/** Cheap argon2 for tests (STACK trap 9); production defaults are checked in their own test. */
export const TEST_JWT_SECRET = 'test-secret-test-secret-test-secret-1234';

export const FAST_ARGON2 = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' };

export async function startApiStack(env: TestEnv, extraEnv: Record<string, string> = {}, clock?: () => number): Promise<ApiStack> {
  const logger = createLogger('api-test', process.env.TEST_LOG_LEVEL ?? 'silent');
  const apiEnv = loadApiEnv({ ...env.env, PORT: '0', JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: `/tmp/${env.id}`, ...FAST_ARGON2, ...extraEnv });
  const app = await buildApp({ env: apiEnv, logger, clock });
  const { url } = await app.start();
  const projector = startProjector(env, 1000);
  return {
    app,
    projector,
    url,
    async gql(query, variables, token) {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return { status: response.status, ...((await response.json()) as object) };
    },
    async stop() {
      await projector.stop();
      await app.stop();
    },
  };
}
