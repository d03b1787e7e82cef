/**
 * The simulator's settings: command-line flags over environment variables,
 * validated at start so a bad value stops the process with its name.
 */
import { parseArgs } from 'node:util';
import { ConfigError, commonVars, loadConfig, vars, type Config, type VarSpec } from '../../schema/src/config.ts';
import { metricsPortVar } from '../../schema/src/metrics.ts';
import { SENSOR_TYPES } from '../../schema/src/sensors.ts';
import { MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS } from '../../schema/src/simulator-control.ts';

/** An integer that may be left out: `absent` (the default) stands for "not given". */
function optionalInt(min: number, max: number, absent: string): VarSpec<number | null> {
  const int = vars.int(min, max);
  return {
    expected: `${int.expected}, or ${absent}`,
    default: absent,
    parse: (raw) => (raw === absent ? null : int.parse(raw)),
  };
}

export const simulatorVars = {
  SIM_TYPE: vars.oneOf(SENSOR_TYPES),
  SIM_DEVICES: vars.int(1, 200_000, 100),
  SIM_SEED: optionalInt(0, 4_294_967_295, 'random'),
  // SPEC §7: never below 5 s per device, except through the benchmark flag (the bounds of the control API too).
  SIM_INTERVAL_SECONDS: {
    ...vars.int(MIN_INTERVAL_SECONDS, MAX_INTERVAL_SECONDS, MIN_INTERVAL_SECONDS),
    expected: `whole seconds from ${MIN_INTERVAL_SECONDS} to ${MAX_INTERVAL_SECONDS} (faster only with --benchmark-interval-ms, for load tests)`,
  },
  SIM_MAX_IN_FLIGHT: vars.int(1, 65_536, 1024),
  SIM_BENCHMARK_INTERVAL_MS: optionalInt(1, MAX_INTERVAL_SECONDS * 1000, 'off'),
  SIM_UNASSIGNED: vars.bool(false),
  NATS_URL: commonVars.NATS_URL,
  STREAM_NAME: commonVars.STREAM_NAME,
  SUBJECT_PREFIX: commonVars.SUBJECT_PREFIX,
  LOG_LEVEL: commonVars.LOG_LEVEL,
  DEVICE_LOG_RETENTION: commonVars.DEVICE_LOG_RETENTION,
  /** /healthz, /readyz and /metrics: a port, 0 (the default) for any free one (logged at start), or off. */
  SIMULATOR_METRICS_PORT: metricsPortVar(0),
};

/** Each flag and the variable it overrides. */
const flagVariables = {
  type: 'SIM_TYPE',
  devices: 'SIM_DEVICES',
  seed: 'SIM_SEED',
  interval: 'SIM_INTERVAL_SECONDS',
  'max-in-flight': 'SIM_MAX_IN_FLIGHT',
  'benchmark-interval-ms': 'SIM_BENCHMARK_INTERVAL_MS',
  unassigned: 'SIM_UNASSIGNED',
} as const satisfies Record<string, keyof typeof simulatorVars>;
type Flag = keyof typeof flagVariables;

const flagOptions = {
  help: { type: 'boolean', short: 'h' },
  type: { type: 'string' },
  devices: { type: 'string' },
  seed: { type: 'string' },
  interval: { type: 'string' },
  'max-in-flight': { type: 'string' },
  'benchmark-interval-ms': { type: 'string' },
  unassigned: { type: 'boolean' },
} as const satisfies Record<Flag | 'help', unknown>;

export const USAGE = `Usage: npm run simulator -- --type <sensor type> [options]

Simulates a fleet of devices of one sensor type publishing readings to NATS JetStream.
Every option can also be set by the environment variable named after it; the flag wins.

  --type <t>                  SIM_TYPE              ${SENSOR_TYPES.join(' | ')} (required)
  --devices <n>               SIM_DEVICES           devices in this instance, 1…200000 (default 100)
  --seed <n>                  SIM_SEED              seed for devices and values, 0…4294967295
                                                    (default: random, printed in the start log)
  --interval <s>              SIM_INTERVAL_SECONDS  seconds between a device's readings, >= ${MIN_INTERVAL_SECONDS} (default ${MIN_INTERVAL_SECONDS})
  --max-in-flight <n>         SIM_MAX_IN_FLIGHT     un-acked publishes at most (default 1024)
  --benchmark-interval-ms <n> SIM_BENCHMARK_INTERVAL_MS
                                                    FOR LOAD TESTS ONLY: per-device interval in ms,
                                                    may go below ${MIN_INTERVAL_SECONDS} s; overrides --interval
  --unassigned                SIM_UNASSIGNED=true   start the devices without a target: each announces itself
                                                    and measures nothing until a target is assigned to it
  -h, --help                  this text

Environment: NATS_URL (default nats://127.0.0.1:4222), STREAM_NAME (SENSORS),
SUBJECT_PREFIX (iot), LOG_LEVEL (info), DEVICE_LOG_RETENTION (24h: how long the
log stream keeps the devices' log lines), SIMULATOR_METRICS_PORT (0: /healthz,
/readyz and /metrics on any free port, logged; a fixed port, or off).
`;

export type SimulatorEnv = Config<typeof simulatorVars>;

const QUEUE_WINDOWS = 4;
const MAX_QUEUED = 100_000;

/**
 * How many generated readings may wait for a window slot before due devices
 * skip measuring: at least four windows, and at least one second of readings so
 * that a short stall (a busy neighbour on the machine, a slow ack) costs no
 * measurements; never more than 100,000 (about 50 MB).
 */
export function queueBound(maxInFlight: number, devices: number, intervalMs: number): number {
  const perSecond = Math.ceil((devices * 1000) / intervalMs);
  return Math.min(MAX_QUEUED, Math.max(QUEUE_WINDOWS * maxInFlight, perSecond));
}

export interface SimulatorSettings extends SimulatorEnv {
  /** The per-device interval in effect: the benchmark interval when given, else SIM_INTERVAL_SECONDS. */
  intervalMs: number;
  benchmark: boolean;
}

export type CommandLine = { kind: 'help' } | { kind: 'run'; settings: SimulatorSettings };

/** The command line cannot be read at all (an unknown flag, a stray argument). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A missing or bad value, named by the flag that sets it as well as its variable. */
export class OptionError extends ConfigError {
  constructor(flag: Flag, variable: string, expected: string, got: string | undefined) {
    super(variable, expected, got);
    this.name = 'OptionError';
    this.message =
      got === undefined
        ? `Missing --${flag} (or environment variable ${variable}): expected ${expected}`
        : `Invalid option --${flag}: expected ${expected}, got ${JSON.stringify(got)}`;
  }
}

export function parseCommandLine(argv: string[], env: NodeJS.ProcessEnv): CommandLine {
  let values: Partial<Record<Flag | 'help', string | boolean>>;
  try {
    ({ values } = parseArgs({ args: argv, options: flagOptions, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { kind: 'help' };

  const fromFlags: Record<string, string> = {};
  for (const [flag, variable] of Object.entries(flagVariables)) {
    const value = values[flag as Flag];
    if (typeof value === 'string') fromFlags[variable] = value;
    else if (value === true) fromFlags[variable] = 'true';
  }
  let config: SimulatorEnv;
  try {
    config = loadConfig(simulatorVars, { ...env, ...fromFlags });
  } catch (error) {
    throw nameTheFlag(error, fromFlags, env);
  }
  const benchmarkMs = config.SIM_BENCHMARK_INTERVAL_MS;
  return {
    kind: 'run',
    settings: { ...config, intervalMs: benchmarkMs ?? config.SIM_INTERVAL_SECONDS * 1000, benchmark: benchmarkMs !== null },
  };
}

/** A value that came from a flag, or was missing altogether, is reported by its flag; a bad env var keeps its own name. */
function nameTheFlag(error: unknown, fromFlags: Record<string, string>, env: NodeJS.ProcessEnv): unknown {
  if (!(error instanceof ConfigError)) return error;
  const entry = Object.entries(flagVariables).find(([, variable]) => variable === error.variable);
  if (!entry) return error;
  const [flag, variable] = entry as [Flag, keyof typeof simulatorVars];
  const given = fromFlags[variable];
  const fromEnv = env[variable];
  if (given !== undefined || fromEnv === undefined || fromEnv === '') {
    return new OptionError(flag, variable, simulatorVars[variable].expected, given);
  }
  return error;
}
