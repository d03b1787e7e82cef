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

export interface ReadingSpread {
  types: readonly SensorType[];
  devicesPerType: number;
  /** The newest measurement time. */
  nowMs: number;
  /**
   * Measurement times run evenly from `nowMs - spanMs` to `nowMs` in publishing order,
   * as a fleet's would over that span (0: all within 50 ms of `nowMs`).
   */
  spanMs?: number;
}

/**
 * `count` readings in chunks of at most `chunkSize`, spread round-robin over `types` and
 * over `devicesPerType` devices each (letters A–Z, numbers 1–1000, as the simulator draws
 * them), each device counting its own seq. Chunks let a run of millions stay small in memory.
 */
export function* readingChunks(prefix: string, count: number, chunkSize: number, spread: ReadingSpread): Generator<ReadingMessage[]> {
  const { types, devicesPerType, nowMs, spanMs = 0 } = spread;
  const random = seededRandom(20_260_101);
  const seqs = new Map<string, number>();
  let chunk: ReadingMessage[] = [];
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
    const sentAt = spanMs > 0 ? nowMs - spanMs + Math.floor((i * spanMs) / count) : nowMs;
    const measuredAt = sentAt - Math.floor(random() * 50);
    const event: ReadingRecorded = {
      type: 'ReadingRecorded',
      version: 1,
      id: `bench-${sensorType}-00000000.${deviceCode}.${deviceNumber}.${seq}`,
      occurredAt: new Date(sentAt).toISOString(),
      data: { sensorType, value, deviceCode, deviceNumber, timestamp: new Date(measuredAt).toISOString(), seq },
    };
    chunk.push({ subject: subjects.reading(prefix, sensorType, deviceCode, deviceNumber), id: event.id, payload: encodeEvent(event), event });
    if (chunk.length === chunkSize) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}

/** `count` readings measured at `nowMs` or a little before (see readingChunks), all in memory. */
export function buildReadings(prefix: string, count: number, types: readonly SensorType[], devicesPerType: number, nowMs: number): ReadingSet {
  const messages = [...readingChunks(prefix, count, Math.max(count, 1), { types, devicesPerType, nowMs })].flat();
  const bytes = messages.reduce((sum, m) => sum + m.payload.length, 0);
  return { messages, meanPayloadBytes: count ? bytes / count : 0 };
}
