/**
 * The simulator's control plane: a NATS micro service (`sensor-simulator`, discoverable
 * with `$SRV.PING|INFO|STATS` and `nats micro ls`) whose endpoints `status`, `start`,
 * `stop` and `interval` listen on `<prefix>.sim.<simulatorId>.<endpoint>`
 * (schema/src/simulator-control.ts). Every endpoint answers with the instance's status;
 * a refused request gets a service error (code 400 and the reason; 500 for a failure),
 * which the service's stats count.
 */
import { ServiceError, Svcm, type Service, type ServiceMsg } from '@nats-io/services';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  SIMULATOR_ERROR_CODES,
  SIMULATOR_SERVICE_NAME,
  SIMULATOR_SERVICE_VERSION,
  intervalOutOfRange,
  intervalRequestSchema,
  simulatorSubjects,
  type SimulatorEndpoint,
  type SimulatorServiceMetadata,
  type SimulatorStatus,
} from '../../schema/src/simulator-control.ts';
import type { Simulator } from './simulator.ts';

export interface ControlOptions {
  subjectPrefix: string;
  stream: string;
  /** The benchmark flag is in use: `interval` also takes fractions of a second and anything from 1 ms up. */
  allowFastIntervals: boolean;
  clock: () => number;
}

/** Stopping through the control plane pauses measuring; the readings already generated are still published and acked. */
const NO_DRAIN_WAIT_MS = 0;

export function simulatorStatus(simulator: Simulator, startedAt: string): SimulatorStatus {
  const stats = simulator.stats();
  return {
    id: stats.simulatorId,
    sensorType: stats.sensorType,
    devices: stats.devices,
    intervalSeconds: stats.intervalMs / 1000,
    running: stats.running,
    published: stats.published,
    skipped: stats.skipped,
    inFlight: stats.inFlight,
    sleeping: stats.sleeping,
    awaitingTarget: stats.awaitingTarget,
    lastError: stats.lastError,
    startedAt,
  };
}

/** The interval asked for, in ms, or the reason it is refused. */
export function requestedIntervalMs(data: Uint8Array, allowFastIntervals: boolean): { ms: number } | { error: string } {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return { error: 'the request must be JSON: {"seconds": <n>}' };
  }
  const parsed = intervalRequestSchema.safeParse(body);
  if (!parsed.success) return { error: 'the request must be JSON: {"seconds": <n>}' };
  const { seconds } = parsed.data;
  if (!allowFastIntervals) {
    const refused = intervalOutOfRange(seconds);
    return refused ? { error: refused } : { ms: seconds * 1000 };
  }
  const ms = Math.round(seconds * 1000);
  return Number.isFinite(ms) && ms >= 1 ? { ms } : { error: 'interval must be at least 0.001 seconds' };
}

export async function serveControl(nc: NatsConnection, simulator: Simulator, options: ControlOptions): Promise<Service> {
  const startedAt = new Date(options.clock()).toISOString();
  const { simulatorId, sensorType, devices } = simulator.stats();
  const metadata: SimulatorServiceMetadata = {
    simulatorId,
    sensorType,
    devices: String(devices),
    stream: options.stream,
    subjectPrefix: options.subjectPrefix,
  };
  const service = await new Svcm(nc).add({
    name: SIMULATOR_SERVICE_NAME,
    version: SIMULATOR_SERVICE_VERSION,
    description: `${sensorType} simulator ${simulatorId}: ${devices} devices`,
    metadata,
  });

  const respondWithStatus = (msg: ServiceMsg) => msg.respond(JSON.stringify(simulatorStatus(simulator, startedAt)));
  const actions: Record<SimulatorEndpoint, (msg: ServiceMsg) => void> = {
    status: respondWithStatus,
    start(msg) {
      simulator.start();
      respondWithStatus(msg);
    },
    stop(msg) {
      void simulator.stop(NO_DRAIN_WAIT_MS);
      respondWithStatus(msg);
    },
    interval(msg) {
      const requested = requestedIntervalMs(msg.data, options.allowFastIntervals);
      if ('error' in requested) throw new ServiceError(SIMULATOR_ERROR_CODES.badRequest, requested.error);
      simulator.setInterval(requested.ms);
      respondWithStatus(msg);
    },
  };
  for (const [endpoint, action] of Object.entries(actions) as [SimulatorEndpoint, (msg: ServiceMsg) => void][]) {
    service.addEndpoint(endpoint, {
      subject: simulatorSubjects.endpoint(options.subjectPrefix, simulatorId, endpoint),
      // The framework answers what a handler throws as a service error: a ServiceError with its code, anything else with 500.
      handler: (_error, msg) => action(msg),
    });
  }
  // Once the server has the subscriptions, the endpoints answer: nobody gets "no responders" from a registered instance.
  await nc.flush();
  return service;
}
