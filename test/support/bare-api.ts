/**
 * An API started in-process without a projector (startApiStack starts one): for tests of
 * what the API does while the read model is behind, and of API-only settings.
 */
import { createLogger } from '../../schema/src/log.ts';
import { buildApp, type App } from '../../api/src/app.ts';
import { loadApiEnv } from '../../api/src/config.ts';
import { FAST_ARGON2, type GqlResponse } from './api.ts';
import type { Gql } from './accounts.ts';
import type { TestEnv } from './env.ts';

export const TEST_JWT_SECRET = 'bare-api-test-secret-bare-api-test-secret';

/** POSTs GraphQL to `url` as application/json, with a bearer token if given. */
export function gqlClient(url: string): Gql {
  return async <T>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResponse<T>> => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, ...((await response.json()) as object) };
  };
}

export interface BareApi {
  app: App;
  url: string;
  /** http://localhost:<port>, for routes other than /graphql. */
  origin: string;
  gql: Gql;
  stop(): Promise<void>;
}

export async function startBareApi(env: TestEnv, extraEnv: Record<string, string> = {}): Promise<BareApi> {
  const logger = createLogger('api-test', process.env.TEST_LOG_LEVEL ?? 'silent');
  const apiEnv = loadApiEnv({ ...env.env, PORT: '0', JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: `/tmp/${env.id}`, ...FAST_ARGON2, ...extraEnv });
  const app = await buildApp({ env: apiEnv, logger });
  const { url } = await app.start();
  return { app, url, origin: new URL(url).origin, gql: gqlClient(url), stop: () => app.stop() };
}
