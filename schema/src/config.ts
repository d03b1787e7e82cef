/**
 * Environment configuration shared by every process. Each process declares the
 * variables it reads; a missing or malformed one stops it at start with the
 * variable's name and what is expected.
 */
export class ConfigError extends Error {
  constructor(readonly variable: string, expected: string, got: string | undefined) {
    super(`Invalid environment variable ${variable}: expected ${expected}${got === undefined ? ' (it is not set)' : `, got ${JSON.stringify(got)}`}`);
    this.name = 'ConfigError';
  }
}

export interface VarSpec<T> {
  expected: string;
  default?: string;
  parse: (raw: string) => T | undefined;
}

const urlWith = (protocols: string[]) => (raw: string) => {
  try {
    const url = new URL(raw);
    return protocols.includes(url.protocol) ? raw : undefined;
  } catch {
    return undefined;
  }
};

const DURATION_UNITS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;

export const vars = {
  string: (expected: string, pattern: RegExp, fallback?: string): VarSpec<string> => ({
    expected,
    default: fallback,
    parse: (raw) => (pattern.test(raw) ? raw : undefined),
  }),
  int: (min: number, max: number, fallback?: number): VarSpec<number> => ({
    expected: `an integer from ${min} to ${max}`,
    default: fallback === undefined ? undefined : String(fallback),
    parse: (raw) => {
      const n = Number(raw);
      return /^-?\d+$/.test(raw) && n >= min && n <= max ? n : undefined;
    },
  }),
  oneOf: <const T extends string>(values: readonly T[], fallback?: T): VarSpec<T> => ({
    expected: `one of ${values.join(', ')}`,
    default: fallback,
    parse: (raw) => (values as readonly string[]).includes(raw) ? (raw as T) : undefined,
  }),
  /** A duration in whole seconds, written `90`, `90s`, `15m`, `24h` or `7d`. */
  duration: (minSeconds: number, maxSeconds: number, fallback: string): VarSpec<number> => ({
    expected: `a duration such as 30s, 15m, 24h or 7d (or whole seconds), from ${minSeconds} s to ${maxSeconds / 86_400} d`,
    default: fallback,
    parse: (raw) => {
      const match = /^(\d{1,9})\s*(s|m|h|d)?$/.exec(raw.trim());
      if (!match) return undefined;
      const seconds = Number(match[1]) * DURATION_UNITS[(match[2] ?? 's') as keyof typeof DURATION_UNITS];
      return seconds >= minSeconds && seconds <= maxSeconds ? seconds : undefined;
    },
  }),
  bool: (fallback: boolean): VarSpec<boolean> => ({
    expected: 'true or false',
    default: String(fallback),
    parse: (raw) => (raw === 'true' || raw === '1' ? true : raw === 'false' || raw === '0' ? false : undefined),
  }),
};

/** The variables every process that talks to NATS and Postgres shares (SPEC §12). */
export const commonVars = {
  DATABASE_URL: {
    expected: 'a postgres:// URL',
    default: 'postgres://postgres@127.0.0.1:5432/sensors',
    parse: urlWith(['postgres:', 'postgresql:']),
  } satisfies VarSpec<string>,
  NATS_URL: {
    expected: 'a nats:// URL (several may be given, comma-separated)',
    default: 'nats://127.0.0.1:4222',
    parse: (raw: string) => (raw.split(',').every((u) => urlWith(['nats:', 'tls:'])(u.trim())) ? raw : undefined),
  } satisfies VarSpec<string>,
  STREAM_NAME: vars.string('a stream name of letters, digits, _ or - (max 32)', /^[A-Za-z0-9_-]{1,32}$/, 'SENSORS'),
  SUBJECT_PREFIX: vars.string('a subject token of letters, digits, _ or - (max 32)', /^[A-Za-z0-9_-]{1,32}$/, 'iot'),
  LOG_LEVEL: vars.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
  /** How long device log lines are kept: the max age of the log stream, which every process ensures. */
  DEVICE_LOG_RETENTION: vars.duration(1, 3650 * 86_400, '24h'),
};

type Specs = Record<string, VarSpec<unknown>>;
export type Config<S extends Specs> = { [K in keyof S]: S[K] extends VarSpec<infer T> ? T : never };

export function loadConfig<S extends Specs>(specs: S, env: NodeJS.ProcessEnv = process.env): Config<S> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(specs)) {
    const given = env[name];
    const raw = given === undefined || given === '' ? spec.default : given;
    if (raw === undefined) throw new ConfigError(name, spec.expected, undefined);
    const value = spec.parse(raw);
    if (value === undefined) throw new ConfigError(name, spec.expected, raw);
    out[name] = value;
  }
  return out as Config<S>;
}

/** For entry points: print a config error plainly and exit, instead of a stack trace. */
export function exitOnConfigError(error: unknown): never {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}
