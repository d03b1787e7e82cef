/** The answer for an action on every simulator: all did it, none runs, or some failed. */
import { describe, expect, it } from 'vitest';
import { CoreError } from '../core/errors.ts';
import type { SimulatorStatus } from '../core/simulators.ts';
import { allDone } from './generate.ts';

// Cast: only the fields the REST answer shows matter here (the status grows with the simulator's features).
const status = (id: string, running: boolean) =>
  ({
    id,
    sensorType: 'humidity',
    devices: 3,
    intervalSeconds: 5,
    running,
    published: 12,
    skipped: 0,
    inFlight: 0,
    lastError: null,
    startedAt: '2026-01-01T00:00:00.000Z',
  }) as SimulatorStatus;

describe('the answer for an action on every simulator', () => {
  it('is a success listing each instance when all did it', () => {
    expect(allDone([{ id: 'sim-a', simulator: status('sim-a', false) }], 'sensor generator stopped')).toEqual({
      message: 'sensor generator stopped',
      data: { simulators: [{ id: 'sim-a', sensor_type: 'humidity', running: false, frequency: 5, devices: 3, published: 12 }] },
    });
  });

  it('is SERVICE_UNAVAILABLE when no simulator runs', () => {
    expect(() => allDone([], 'sensor generator started')).toThrow(new CoreError('SERVICE_UNAVAILABLE', 'no sensor generator is running: start a simulator (npm run simulator -- --type humidity)'));
  });

  it('carries the status of the first failure, naming the instances that did it and those that did not', () => {
    const timeout = new CoreError('SERVICE_UNAVAILABLE', 'simulator sim-b did not answer within 2000 ms (busy or stuck); it may still act on the request later');
    const result = allDone(
      [
        { id: 'sim-a', simulator: status('sim-a', true) },
        { id: 'sim-b', error: timeout },
      ],
      'sensor generator started',
    );
    expect(result).toEqual({
      status: 503,
      message: `sensor generator started on only 1 of 2 simulators; sim-b: ${timeout.message}`,
      data: {
        simulators: [{ id: 'sim-a', sensor_type: 'humidity', running: true, frequency: 5, devices: 3, published: 12 }],
        failed: [{ id: 'sim-b', message: timeout.message }],
      },
    });
  });
});
