/**
 * The simulator control plane, the contract between the simulator and the API.
 *
 * Every simulator instance registers as a NATS micro service named `sensor-simulator`,
 * so the standard discovery subjects (`$SRV.PING|INFO|STATS.sensor-simulator`, and
 * `nats micro ls`) list every instance on the server. Its endpoints listen on subjects
 * scoped by the subject prefix, `<prefix>.sim.<simulatorId>.<endpoint>`, and its service
 * metadata carries the prefix: a controller keeps the instances of its own prefix and
 * ignores the rest, so deployments (and isolated tests) sharing a server never touch
 * each other's simulators.
 */
import { z } from 'zod';
import { SENSOR_TYPES } from './sensors.ts';

export const SIMULATOR_SERVICE_NAME = 'sensor-simulator';
/** The version of this control protocol (NATS micro wants semver); bump it when the endpoints change. */
export const SIMULATOR_SERVICE_VERSION = '1.0.0';

/** SPEC §7: a device's interval never goes below 5 s through the control API. */
export const MIN_INTERVAL_SECONDS = 5;
export const MAX_INTERVAL_SECONDS = 86_400;

export const SIMULATOR_ENDPOINTS = ['status', 'start', 'stop', 'interval'] as const;
export type SimulatorEndpoint = (typeof SIMULATOR_ENDPOINTS)[number];

/** A simulator id is one subject token, so it can be put in a subject without addressing anything else. */
export const SIMULATOR_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

export const simulatorSubjects = {
  endpoint: (prefix: string, simulatorId: string, endpoint: SimulatorEndpoint) => `${prefix}.sim.${simulatorId}.${endpoint}`,
};

/** Keys of the service metadata (NATS wants string values). */
export interface SimulatorServiceMetadata extends Record<string, string> {
  simulatorId: string;
  sensorType: string;
  devices: string;
  stream: string;
  subjectPrefix: string;
}

/** What `status` answers, and `start`, `stop` and `interval` after they acted. */
export const simulatorStatusSchema = z.object({
  id: z.string(),
  sensorType: z.enum(SENSOR_TYPES),
  devices: z.number().int(),
  /** Whole seconds normally; a fraction only on an instance started with the benchmark interval. */
  intervalSeconds: z.number(),
  running: z.boolean(),
  /** Readings acked by the stream since the instance started. */
  published: z.number().int(),
  /** Measurements not taken because the publisher was saturated or the scheduler stalled. */
  skipped: z.number().int(),
  /** Publishes waiting for their ack. */
  inFlight: z.number().int(),
  /** Devices told to sleep (a SLEEP device command not yet followed by a WAKE). Absent from instances older than device commands. */
  sleeping: z.number().int().optional(),
  /** Devices that announced themselves and measure nothing until a target is assigned. Absent from instances older than device commands. */
  awaitingTarget: z.number().int().optional(),
  lastError: z.string().nullable(),
  /** When the instance started (RFC 3339). */
  startedAt: z.string(),
});
export type SimulatorStatus = z.infer<typeof simulatorStatusSchema>;

/** The `interval` request body. */
export const intervalRequestSchema = z.object({ seconds: z.number({ error: 'seconds must be a number' }) });
export type IntervalRequest = z.infer<typeof intervalRequestSchema>;

/** Service error codes of the endpoints (`Nats-Service-Error-Code`), HTTP-like as NATS micro services use them. */
export const SIMULATOR_ERROR_CODES = { badRequest: 400, internal: 500 } as const;

export function intervalOutOfRange(seconds: number): string | null {
  if (!Number.isInteger(seconds)) return 'interval must be a whole number of seconds';
  if (seconds < MIN_INTERVAL_SECONDS) return `interval must be at least ${MIN_INTERVAL_SECONDS} seconds`;
  if (seconds > MAX_INTERVAL_SECONDS) return `interval must be at most ${MAX_INTERVAL_SECONDS} seconds`;
  return null;
}
