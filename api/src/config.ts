import { commonVars, loadConfig, vars, type VarSpec } from '../../schema/src/config.ts';
import { parseCorsOrigins } from './http-guards.ts';

const text = (expected: string, fallback?: string) => vars.string(expected, /^.+$/s, fallback);

export const apiVars = {
  ...commonVars,
  PORT: vars.int(0, 65535, 4000),
  NODE_ENV: vars.oneOf(['development', 'production', 'test'] as const, 'development'),
  /** HS256 signing key for access tokens, at least 32 characters. Required in production; generated under DATA_DIR otherwise. */
  JWT_SECRET: vars.string('at least 32 characters', /^$|^.{32,}$/s, ''),
  JWT_ISSUER: text('a non-empty string', 'sensor-platform'),
  JWT_AUDIENCE: text('a non-empty string', 'sensor-platform-api'),
  ACCESS_TOKEN_TTL_SECONDS: vars.int(30, 86_400, 900),
  REFRESH_TOKEN_TTL_SECONDS: vars.int(300, 365 * 86_400, 30 * 86_400),
  /** argon2id cost; the defaults are OWASP's floor (19 MiB, 2 passes, 1 lane). */
  ARGON2_MEMORY_KIB: vars.int(1024, 4 * 1024 * 1024, 19_456),
  ARGON2_TIME_COST: vars.int(1, 20, 2),
  ARGON2_PARALLELISM: vars.int(1, 16, 1),
  LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: vars.int(1, 1000, 5),
  LOGIN_MAX_ATTEMPTS_PER_ADDRESS: vars.int(1, 100_000, 50),
  LOGIN_WINDOW_SECONDS: vars.int(1, 86_400, 900),
  ADMIN_USERNAME: vars.string('a username (3–50 of A–Z a–z 0–9 _ . -)', /^$|^[A-Za-z0-9_.-]{3,50}$/, ''),
  ADMIN_PASSWORD: vars.string('a password of 8–128 characters', /^$|^.{8,128}$/s, ''),
  GRAPHIQL: vars.bool(true),
  INTROSPECTION: vars.bool(true),
  /** "Did you mean …?" in validation errors (off in production unless set). */
  FIELD_SUGGESTIONS: vars.bool(true),
  /** Browser origins allowed to call the API: comma-separated, or `*`; empty = the default policy (see http-guards.ts). */
  CORS_ORIGINS: {
    expected: 'comma-separated origins such as https://dashboard.example.com, or *',
    default: '',
    parse: (raw: string) => {
      try {
        parseCorsOrigins(raw);
        return raw;
      } catch {
        return undefined;
      }
    },
  } satisfies VarSpec<string>,
  /** Live connections (graphql-ws sockets and SSE streams together) one client address may hold; 0 = no limit. */
  MAX_LIVE_CONNECTIONS_PER_ADDRESS: vars.int(0, 1_000_000, 100),
  /** Projector lag (events between the stream head and the projector's checkpoint) above which /readyz answers 503. */
  READY_MAX_LAG: vars.int(0, 1_000_000_000, 10_000),
  /** How long a change mutation waits for the projector before answering CHANGE_PENDING. */
  CHANGE_WAIT_MS: vars.int(100, 600_000, 10_000),
  MAX_FUTURE_SECONDS: vars.int(0, 86_400, 300),
  /** Undelivered events a live subscriber may fall behind by before it is cut off. */
  SUBSCRIPTION_BUFFER_LIMIT: vars.int(10, 1_000_000, 1000),
  /** How long a simulator has to answer a control call (start, stop, interval, status). */
  SIMULATOR_TIMEOUT_MS: vars.int(50, 60_000, 2000),
  /** How long listing simulators waits for them to answer discovery. */
  SIMULATOR_DISCOVERY_MS: vars.int(50, 60_000, 500),
  DATA_DIR: text('a directory path', '.data'),
};

export type ApiEnv = ReturnType<typeof loadApiEnv>;
export const loadApiEnv = (env: NodeJS.ProcessEnv = process.env) => {
  const config = loadConfig(apiVars, env);
  // Production defaults: no playground, no introspection, unless asked for explicitly.
  if (config.NODE_ENV === 'production') {
    if (env.GRAPHIQL === undefined) config.GRAPHIQL = false;
    if (env.INTROSPECTION === undefined) config.INTROSPECTION = false;
    if (env.FIELD_SUGGESTIONS === undefined) config.FIELD_SUGGESTIONS = false;
  }
  return config;
};
