/**
 * The shape of a subscriptions run: how many clients, how the simulator offers the
 * rate, and which real device each subscription filters to. The devices are the
 * simulator's own, drawn from the same seed with its own code (simulator/src/fleet.ts).
 */
import type { SensorType } from '../../schema/src/sensors.ts';
import { subjects } from '../../schema/src/subjects.ts';
import { createFleet, deviceCodeOf } from '../../simulator/src/fleet.ts';
import { createRng } from '../../simulator/src/random.ts';
import type { Device } from './protocol.ts';

export interface Plan {
  subscriptions: number;
  /** Readings/s offered: `devices` each every `intervalMs`. */
  rate: number;
  devices: number;
  intervalMs: number;
  sensorType: SensorType;
  seed: number;
  perConnection: number;
  loadProcesses: number;
  rampPerSecond: number;
  /** WebSockets awaiting the server's acknowledgement at once while ramping (over all load processes). */
  maxPending: number;
  /** Extra seconds after every subscription got its first reading, before the window opens. */
  settleS: number;
  /** The measured window. */
  durationS: number;
  /** The longest wait, after the simulator stopped, for the last deliveries. */
  drainTimeoutS: number;
  projector: boolean;
  profile: boolean;
  /** Extra node flags for the API process (heap sizes, GC tracing). */
  apiNodeFlags: string[];
}

export const SENSOR_TYPE: SensorType = 'temperature';
export const SEED = 4242;

/** The per-device interval that makes `devices` offer `rate` readings/s. */
export function intervalFor(devices: number, rate: number): number {
  return Math.max(1, Math.round((devices * 1000) / rate));
}

/** The simulator's devices for this type, count and seed, in its order. */
export function simulatorDevices(sensorType: SensorType, count: number, seed: number): Device[] {
  const fleet = createFleet(sensorType, count, createRng(seed));
  return Array.from({ length: count }, (_, i) => ({ sensorType, deviceCode: deviceCodeOf(fleet, i), deviceNumber: fleet.numbers[i]! }));
}

/** Subscription i filters to device i (round-robin when there are more subscriptions than devices). */
export function assignDevices(devices: readonly Device[], subscriptions: number): Device[] {
  return Array.from({ length: subscriptions }, (_, i) => devices[i % devices.length]!);
}

export function deviceSubject(prefix: string, device: Device): string {
  return subjects.reading(prefix, device.sensorType as SensorType, device.deviceCode, device.deviceNumber);
}
