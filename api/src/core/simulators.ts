/**
 * Simulator control: finds the simulator instances of this deployment's subject prefix
 * through NATS service discovery (`$SRV.INFO.sensor-simulator`, keeping the instances
 * whose metadata names our prefix) and calls their endpoints
 * (`<prefix>.sim.<id>.<endpoint>`, schema/src/simulator-control.ts). GraphQL and the
 * REST endpoints are thin callers of these functions.
 */
import { ServiceError, Svcm, type ServiceClient } from '@nats-io/services';
import { errors, type NatsConnection } from '@nats-io/transport-node';
import {
  SIMULATOR_ERROR_CODES,
  SIMULATOR_ID_PATTERN,
  SIMULATOR_SERVICE_NAME,
  intervalOutOfRange,
  simulatorStatusSchema,
  simulatorSubjects,
  type IntervalRequest,
  type SimulatorEndpoint,
  type SimulatorStatus,
} from '../../../schema/src/simulator-control.ts';
import type { Principal } from './auth/roles.ts';
import { badInput, CoreError, notFound } from './errors.ts';
import { requirePermission } from './permissions.ts';

export type { SimulatorStatus };

export interface SimulatorControlSettings {
  prefix: string;
  /** How long one instance has to answer a call. */
  timeoutMs: number;
  /** How long discovery waits for instances to answer (it ends sooner once they fall quiet). */
  discoveryMs: number;
}

/** The outcome for one instance of an action on all of them. */
export type SimulatorResult = { id: string; simulator: SimulatorStatus } | { id: string; error: CoreError };

const unavailable = (message: string) => new CoreError('SERVICE_UNAVAILABLE', message);

function validSeconds(seconds: number): number {
  const refused = intervalOutOfRange(seconds);
  if (refused) throw badInput(refused, 'seconds');
  return seconds;
}

const bySensorTypeThenId = (a: SimulatorStatus, b: SimulatorStatus) => a.sensorType.localeCompare(b.sensorType) || a.id.localeCompare(b.id);

export class SimulatorControl {
  private readonly discovery: ServiceClient;

  constructor(
    private readonly nc: NatsConnection,
    private readonly settings: SimulatorControlSettings,
  ) {
    // Discovery ends when no instance has answered for half its time, and after the whole of it at most.
    this.discovery = new Svcm(nc).client({ strategy: 'stall', stall: Math.ceil(settings.discoveryMs / 2), maxWait: settings.discoveryMs });
  }

  /** Every instance that answers, with its status; one that stopped answering is left out. */
  async list(caller: Principal | null): Promise<SimulatorStatus[]> {
    requirePermission(caller, 'controlSimulators');
    const results = await this.callEach(await this.discover(), 'status');
    return results.flatMap((r) => ('simulator' in r ? [r.simulator] : [])).sort(bySensorTypeThenId);
  }

  async status(caller: Principal | null, id: string): Promise<SimulatorStatus> {
    requirePermission(caller, 'controlSimulators');
    return this.call(id, 'status');
  }

  async start(caller: Principal | null, id: string): Promise<SimulatorStatus> {
    requirePermission(caller, 'controlSimulators');
    return this.call(id, 'start');
  }

  /** Measuring stops; the readings already generated are still published. */
  async stop(caller: Principal | null, id: string): Promise<SimulatorStatus> {
    requirePermission(caller, 'controlSimulators');
    return this.call(id, 'stop');
  }

  async setInterval(caller: Principal | null, id: string, seconds: number): Promise<SimulatorStatus> {
    requirePermission(caller, 'controlSimulators');
    return this.call(id, 'interval', { seconds: validSeconds(seconds) });
  }

  async startAll(caller: Principal | null): Promise<SimulatorResult[]> {
    requirePermission(caller, 'controlSimulators');
    return this.callEach(await this.discover(), 'start');
  }

  async stopAll(caller: Principal | null): Promise<SimulatorResult[]> {
    requirePermission(caller, 'controlSimulators');
    return this.callEach(await this.discover(), 'stop');
  }

  async setIntervalAll(caller: Principal | null, seconds: number): Promise<SimulatorResult[]> {
    requirePermission(caller, 'controlSimulators');
    const body = { seconds: validSeconds(seconds) };
    return this.callEach(await this.discover(), 'interval', body);
  }

  /** The ids of the instances of our prefix that answer discovery, sorted. */
  private async discover(): Promise<string[]> {
    const ids: string[] = [];
    try {
      for await (const info of await this.discovery.info(SIMULATOR_SERVICE_NAME)) {
        const id = info.metadata?.simulatorId;
        if (info.metadata?.subjectPrefix === this.settings.prefix && id && SIMULATOR_ID_PATTERN.test(id)) ids.push(id);
      }
    } catch (error) {
      // No simulator at all on the server: nobody subscribes to the discovery subject.
      // (Discovery's iterator reports it as a NoRespondersError; a plain request as a RequestError.)
      if (error instanceof errors.NoRespondersError || (error instanceof errors.RequestError && error.isNoResponders())) return [];
      throw unavailable(`simulators cannot be discovered: ${(error as Error).message}`);
    }
    return [...new Set(ids)].sort();
  }

  private async callEach(ids: string[], endpoint: SimulatorEndpoint, body?: IntervalRequest): Promise<SimulatorResult[]> {
    return Promise.all(
      ids.map((id) =>
        this.call(id, endpoint, body).then(
          (simulator): SimulatorResult => ({ id, simulator }),
          (error: unknown): SimulatorResult => {
            if (error instanceof CoreError) return { id, error };
            throw error;
          },
        ),
      ),
    );
  }

  private async call(id: string, endpoint: SimulatorEndpoint, body?: IntervalRequest): Promise<SimulatorStatus> {
    // An id that is not one subject token could address other subjects; no simulator has such an id.
    if (!SIMULATOR_ID_PATTERN.test(id)) throw notFound(`no simulator with id ${JSON.stringify(id)}`);
    const subject = simulatorSubjects.endpoint(this.settings.prefix, id, endpoint);
    const reply = await this.nc.request(subject, body === undefined ? '' : JSON.stringify(body), { timeout: this.settings.timeoutMs }).catch((error: unknown) => {
      if (error instanceof errors.RequestError && error.isNoResponders()) throw notFound(`no simulator with id ${JSON.stringify(id)} is running`);
      if (error instanceof errors.TimeoutError) throw unavailable(`simulator ${id} did not answer within ${this.settings.timeoutMs} ms (busy or stuck); it may still act on the request later`);
      throw unavailable(`simulator ${id} cannot be reached: ${(error as Error).message}`);
    });
    const refused = ServiceError.toServiceError(reply);
    if (refused?.code === SIMULATOR_ERROR_CODES.badRequest) throw badInput(refused.message, endpoint === 'interval' ? 'seconds' : undefined);
    if (refused) throw unavailable(`simulator ${id} failed to ${endpoint}: ${refused.message}`);
    return simulatorStatusSchema.parse(reply.json());
  }
}
