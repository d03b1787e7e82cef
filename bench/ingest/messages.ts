/**
 * ReadingRecorded events shaped like the simulator's (same envelope, id scheme,
 * headers and subjects), built with the contract in schema/, for the baselines.
 */
import { encodeEvent, type ReadingRecorded } from '../../schema/src/events.ts';
import { SENSOR_RANGES, type SensorType } from '../../schema/src/sensors.ts';
import { subjects } from '../../schema/src/subjects.ts';

export interface ReadingMessage {
  subject: string;
  /** Also the Nats-Msg-Id. */
  id: string;
  payload: Uint8Array;
  event: ReadingRecorded;
}

export interface ReadingSet {
  messages: ReadingMessage[];
  /** Mean payload size in bytes (the JSON body, headers not counted). */
  meanPayloadBytes: number;
}

/** mulberry32: a fixed seed gives the same readings on every run. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` readings spread round-robin over `types` and over `devicesPerType`
 * devices each (letters A–Z, numbers 1–1000, as the simulator draws them),
 * each device counting its own seq, measured `nowMs` or a little before.
 */
export function buildReadings(prefix: string, count: number, types: readonly SensorType[], devicesPerType: number, nowMs: number): ReadingSet {
  const random = seededRandom(20_260_101);
  const seqs = new Map<string, number>();
  const messages: ReadingMessage[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const sensorType = types[i % types.length]!;
    const device = Math.floor(i / types.length) % devicesPerType;
    const deviceCode = String.fromCharCode(65 + (device % 26));
    const deviceNumber = 1 + Math.floor(device / 26);
    const key = `${sensorType}.${deviceCode}.${deviceNumber}`;
    const seq = (seqs.get(key) ?? 0) + 1;
    seqs.set(key, seq);
    const range = SENSOR_RANGES[sensorType];
    const value = Math.round((range.typicalMin + random() * (range.typicalMax - range.typicalMin)) * 100) / 100;
    const measuredAt = nowMs - Math.floor(random() * 50);
    const event: ReadingRecorded = {
      type: 'ReadingRecorded',
      version: 1,
      id: `bench-${sensorType}-00000000.${deviceCode}.${deviceNumber}.${seq}`,
      occurredAt: new Date(nowMs).toISOString(),
      data: { sensorType, value, deviceCode, deviceNumber, timestamp: new Date(measuredAt).toISOString(), seq },
    };
    const payload = encodeEvent(event);
    bytes += payload.length;
    messages.push({ subject: subjects.reading(prefix, sensorType, deviceCode, deviceNumber), id: event.id, payload, event });
  }
  return { messages, meanPayloadBytes: count ? bytes / count : 0 };
}
