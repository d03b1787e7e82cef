/**
 * /api/v1/sensors/generate/{start,stop,frequency}: the older API's one "sensor generator"
 * is our fleet of simulator instances. Without `?simulator=<id>` an action goes to every
 * running instance (SimulatorControl's *All calls), with it to that one.
 */
import { CoreError } from '../core/errors.ts';
import type { SimulatorResult, SimulatorStatus } from '../core/simulators.ts';
import { HTTP_STATUS, restMessage, type RestResult } from './envelope.ts';
import { route } from './router.ts';
import { frequencySchema, simulatorQuerySchema, simulatorsResultSchema } from './schemas.ts';

const simulatorRow = (s: SimulatorStatus) => ({ id: s.id, sensor_type: s.sensorType, running: s.running, frequency: s.intervalSeconds, devices: s.devices, published: s.published });

/**
 * The answer for an action on every instance: success when each did it; with none running,
 * 503; when some failed, the status of the first failure, naming each, with the ones that did it.
 */
export function allDone(results: SimulatorResult[], message: string): RestResult {
  if (results.length === 0) throw new CoreError('SERVICE_UNAVAILABLE', `no sensor generator is running: start a simulator (npm run simulator -- --type humidity)`);
  const done = results.flatMap((r) => ('simulator' in r ? [simulatorRow(r.simulator)] : []));
  const failed = results.flatMap((r) => ('error' in r ? [{ id: r.id, message: restMessage(r.error), code: r.error.code }] : []));
  if (failed.length === 0) return { message, data: { simulators: done } };
  return {
    status: HTTP_STATUS[failed[0]!.code],
    message: `${message} on only ${done.length} of ${results.length} simulators; ${failed.map((f) => `${f.id}: ${f.message}`).join('; ')}`,
    data: { simulators: done, failed: failed.map(({ id, message: text }) => ({ id, message: text })) },
  };
}

const RESPONSES = {
  404: 'no running simulator has the id given in ?simulator=',
  503: 'no simulator is running, or one did not answer in time (data names those that did and those that did not)',
};

const started = 'sensor generator started';
const stopped = 'sensor generator stopped';

export const generateRoutes = [
  route({
    method: 'POST',
    path: '/sensors/generate/start',
    auth: 'controlSimulators',
    summary: 'Start generating (admins)',
    query: simulatorQuerySchema,
    data: simulatorsResultSchema,
    responses: RESPONSES,
    async handle({ caller, query, services }) {
      if (query.simulator) return { message: started, data: { simulators: [simulatorRow(await services.simulators.start(caller, query.simulator))] } };
      return allDone(await services.simulators.startAll(caller), started);
    },
  }),
  route({
    method: 'POST',
    path: '/sensors/generate/stop',
    auth: 'controlSimulators',
    summary: 'Stop generating (admins)',
    description: 'Measuring stops at once; readings already taken are still published.',
    query: simulatorQuerySchema,
    data: simulatorsResultSchema,
    responses: RESPONSES,
    async handle({ caller, query, services }) {
      if (query.simulator) return { message: stopped, data: { simulators: [simulatorRow(await services.simulators.stop(caller, query.simulator))] } };
      return allDone(await services.simulators.stopAll(caller), stopped);
    },
  }),
  route({
    method: 'PUT',
    path: '/sensors/generate/frequency',
    auth: 'controlSimulators',
    summary: 'Set the seconds between two readings of each device (admins)',
    description: 'At least 5 seconds; it applies from each simulator’s next tick.',
    query: simulatorQuerySchema,
    data: simulatorsResultSchema,
    responses: RESPONSES,
    body: frequencySchema,
    async handle({ caller, query, body, services }) {
      const message = `sensor generator frequency set to ${body.frequency} s`;
      if (query.simulator) return { message, data: { simulators: [simulatorRow(await services.simulators.setInterval(caller, query.simulator, body.frequency))] } };
      return allDone(await services.simulators.setIntervalAll(caller, body.frequency), message);
    },
  }),
];
