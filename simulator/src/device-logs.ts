/**
 * What a simulated device writes in its log. With each measurement a device may log one line:
 * mostly debug (about one measurement in four) and info (one in sixty), now and then a warning,
 * an error or, rarely, a critical line. Warnings and errors come mostly when the value nears the
 * edge of its typical band. Each device draws from a generator of its own, seeded from the
 * fleet's, so a seed gives every device the same lines at the same seqs on every run, whatever
 * its level (a line below it is drawn, then dropped) and whenever the others measured.
 */
import type { LogLevel, LogLinePayload } from '../../schema/src/logs.ts';
import { SENSOR_RANGES, type SensorType } from '../../schema/src/sensors.ts';
import type { Fleet, Measurement } from './fleet.ts';
import { nextRandom } from './random.ts';

/** Chance per measurement of a line of each level that the value does not explain. */
const BACKGROUND: readonly [LogLevel, number][] = [
  ['critical', 1 / 50_000],
  ['error', 1 / 5_000],
  ['warning', 1 / 1_000],
  ['info', 1 / 60],
  ['debug', 1 / 4],
];
/** Within this share of the typical band from an edge the value is "near" it, and within EDGE_SHARE "at" it. */
const NEAR_SHARE = 0.03;
const EDGE_SHARE = 0.005;
/** How often a value near (at) an edge is worth a warning (an error). */
const NEAR_WARNING_CHANCE = 0.05;
const EDGE_ERROR_CHANCE = 0.05;
/** Keeps the log generators apart from the value generators they are seeded from. */
const LOG_SEED_SALT = 0x9e3779b9;

export type LogLine = Pick<LogLinePayload, 'level' | 'message' | 'fields'> & { level: LogLevel };

/** One generator per device, seeded from the fleet's value generators before they have moved. */
export function createLogGenerators(fleet: Fleet): Uint32Array {
  const states = new Uint32Array(fleet.size);
  for (let i = 0; i < fleet.size; i++) states[i] = (fleet.rngStates[i]! ^ LOG_SEED_SALT) >>> 0;
  return states;
}

function pick<T>(items: readonly T[], u: number): T {
  return items[Math.min(items.length - 1, Math.floor(u * items.length))]!;
}

/** The line for a value near or at an edge of the typical band, if the draw `u` makes one. */
function edgeLine(sensorType: SensorType, m: Measurement, u: number): LogLine | null {
  const { typicalMin: min, typicalMax: max, unit } = SENSOR_RANGES[sensorType];
  const share = (m.value - min) / (max - min);
  const distance = Math.min(share, 1 - share);
  const side = share > 0.5 ? 'top' : 'bottom';
  const fields = { value: m.value, seq: m.seq, typicalMin: min, typicalMax: max };
  if (distance <= EDGE_SHARE && u < EDGE_ERROR_CHANCE) {
    return { level: 'error', message: `${sensorType} ${m.value} ${unit} at the ${side} edge of its typical range (${min}–${max} ${unit})`, fields };
  }
  if (distance <= NEAR_SHARE && u < NEAR_WARNING_CHANCE) {
    return { level: 'warning', message: `${sensorType} ${m.value} ${unit} nearing the ${side} of its typical range (${min}–${max} ${unit})`, fields };
  }
  return null;
}

function backgroundLine(sensorType: SensorType, m: Measurement, level: LogLevel, u: number): LogLine {
  const { unit } = SENSOR_RANGES[sensorType];
  // `u` is uniform within the level's slice; its digits give the details of the line.
  const detail = Math.floor(u * 1_000_000);
  const battery = 20 + (detail % 80);
  const signal = -40 - (Math.floor(detail / 100) % 60);
  switch (level) {
    case 'debug':
      return { level, message: `measured ${m.value} ${unit} (seq ${m.seq})`, fields: { value: m.value, seq: m.seq } };
    case 'info':
      return pick<LogLine>(
        [
          { level, message: `heartbeat: battery ${battery} %, signal ${signal} dBm`, fields: { battery, signal } },
          { level, message: 'calibration check passed', fields: { seq: m.seq } },
          { level, message: `uplink ok after ${m.seq} readings`, fields: { seq: m.seq } },
        ],
        (detail % 3) / 3,
      );
    case 'warning':
      return pick<LogLine>(
        [
          { level, message: `battery low: ${battery % 20} %`, fields: { battery: battery % 20 } },
          { level, message: `weak signal: ${signal - 40} dBm`, fields: { signal: signal - 40 } },
        ],
        (detail % 2) / 2,
      );
    case 'error':
      return { level, message: 'sensor read failed; the reading was retried', fields: { seq: m.seq } };
    case 'critical':
      return { level, message: 'sensor self-test failed; restarting the sensor', fields: { seq: m.seq } };
    default: {
      const unhandled: never = level;
      throw new Error(`unhandled log level ${String(unhandled)}`);
    }
  }
}

/**
 * The line device `device` logs with measurement `m`, or null for none (whatever the device's
 * level: the caller drops a line below it). Always takes two draws from the device's generator.
 */
export function logLineFor(generators: Uint32Array, device: number, sensorType: SensorType, m: Measurement): LogLine | null {
  const edgeDraw = nextRandom(generators, device);
  const backgroundDraw = nextRandom(generators, device);
  const edge = edgeLine(sensorType, m, edgeDraw);
  if (edge) return edge;
  let floor = 0;
  for (const [level, chance] of BACKGROUND) {
    if (backgroundDraw < floor + chance) return backgroundLine(sensorType, m, level, (backgroundDraw - floor) / chance);
    floor += chance;
  }
  return null;
}
