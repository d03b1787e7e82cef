/**
 * The devices of one simulator instance and their state, kept in typed arrays
 * (about 25 bytes a device) so that 100,000 devices cost a few megabytes.
 */
import { SENSOR_RANGES, type SensorType } from '../../schema/src/sensors.ts';
import { drawSeed, nextRandom, type Rng } from './random.ts';
import { initialValue, roundValue, walkStep } from './walk.ts';

const LETTERS = 26;
const NUMBERS_PER_LETTER = 1000;

export interface Measurement {
  deviceCode: string;
  deviceNumber: number;
  value: number;
  seq: number;
}

export interface Fleet {
  readonly sensorType: SensorType;
  readonly size: number;
  /** Letter index per device: 0 is 'A'. */
  readonly codes: Uint8Array;
  readonly numbers: Uint32Array;
  /** Walk position per device, unrounded. */
  readonly values: Float64Array;
  /** Last seq handed out per device; 0 before the first reading. */
  readonly seqs: Uint32Array;
  /** One generator per device, so a device's values do not depend on when the others measured or skipped. */
  readonly rngStates: Uint32Array;
  /** Device numbers per letter (`deviceNumberRange`): a device's identity is letter · perLetter + number − 1. */
  readonly perLetter: number;
  /** Per identity: its device index + 1, or 0 when no device of this fleet has it. */
  readonly byIdentity: Int32Array;
}

/**
 * Device numbers run 1…1000 (SPEC §3). When more devices are asked for than
 * 26 letters × 1000 numbers hold, the range widens to ceil(devices / 26) so
 * that every device still gets an identity of its own.
 */
export function deviceNumberRange(devices: number): number {
  return Math.max(NUMBERS_PER_LETTER, Math.ceil(devices / LETTERS));
}

/** Draws distinct identities, a starting value and a value generator per device, all from the seeded rng. */
export function createFleet(sensorType: SensorType, size: number, rng: Rng): Fleet {
  const perLetter = deviceNumberRange(size);
  const identities = new Uint32Array(LETTERS * perLetter);
  for (let k = 0; k < identities.length; k++) identities[k] = k;
  const fleet: Fleet = {
    sensorType,
    size,
    codes: new Uint8Array(size),
    numbers: new Uint32Array(size),
    values: new Float64Array(size),
    seqs: new Uint32Array(size),
    rngStates: new Uint32Array(size),
    perLetter,
    byIdentity: new Int32Array(LETTERS * perLetter),
  };
  const range = SENSOR_RANGES[sensorType];
  for (let i = 0; i < size; i++) {
    // Partial Fisher–Yates: the first `size` identities become a uniform sample without repeats.
    const j = i + Math.floor(rng() * (identities.length - i));
    const identity = identities[j]!;
    identities[j] = identities[i]!;
    identities[i] = identity;
    fleet.codes[i] = Math.floor(identity / perLetter);
    fleet.numbers[i] = (identity % perLetter) + 1;
    fleet.byIdentity[identity] = i + 1;
    fleet.rngStates[i] = drawSeed(rng);
    fleet.values[i] = initialValue(range, nextRandom(fleet.rngStates, i));
  }
  return fleet;
}

export function deviceCodeOf(fleet: Fleet, device: number): string {
  return String.fromCharCode(65 + fleet.codes[device]!);
}

/** The index of the device with this code and number, or -1 when it is not one of this fleet's. */
export function findDevice(fleet: Fleet, deviceCode: string, deviceNumber: number): number {
  if (deviceCode.length !== 1 || !Number.isInteger(deviceNumber) || deviceNumber < 1 || deviceNumber > fleet.perLetter) return -1;
  const letter = deviceCode.charCodeAt(0) - 65;
  if (letter < 0 || letter >= LETTERS) return -1;
  return fleet.byIdentity[letter * fleet.perLetter + deviceNumber - 1]! - 1;
}

/** Device `device` measures: its walk takes one step and it hands out its next seq. */
export function measure(fleet: Fleet, device: number): Measurement {
  const value = walkStep(fleet.values[device]!, SENSOR_RANGES[fleet.sensorType], nextRandom(fleet.rngStates, device));
  fleet.values[device] = value;
  const seq = fleet.seqs[device]! + 1;
  fleet.seqs[device] = seq;
  return { deviceCode: deviceCodeOf(fleet, device), deviceNumber: fleet.numbers[device]!, value: roundValue(value), seq };
}
