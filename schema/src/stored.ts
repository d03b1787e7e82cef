/**
 * Decoding a message as the stream stored it — the one rule the projector, the rebuild
 * and the live feeds share. Besides full events, a reading subject accepts a bare reading
 * (what a plain MQTT device sends: `{"value": 21.5, "timestamp": "…", "seq": 7}`): its type
 * and device come from the subject, its id and event time from the stream, so a replay
 * decodes it the same way. A reading whose subject and data disagree is refused.
 */
import { validateEvent, type DecodeOptions, type Decoded } from './events.ts';
import { subjects } from './subjects.ts';

export interface StoredMessage {
  subject: string;
  data: Uint8Array;
  sequence: number;
  /** When the stream stored it (the server's clock). */
  storedAtMs: number;
}

export interface StoredDecodeOptions extends DecodeOptions {
  prefix: string;
}

function readingSubjectParts(prefix: string, subject: string): { sensorType: string; deviceCode: string; deviceNumber: number } | null {
  const head = `${prefix}.reading.`;
  if (!subject.startsWith(head)) return null;
  const parts = subject.slice(head.length).split('.');
  if (parts.length !== 3 || !/^\d{1,10}$/.test(parts[2]!)) return null;
  return { sensorType: parts[0]!, deviceCode: parts[1]!, deviceNumber: Number(parts[2]) };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

export function decodeStored(message: StoredMessage, options: StoredDecodeOptions): Decoded {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(message.data).toString('utf8'));
  } catch (error) {
    return { ok: false, reason: 'malformed_json', detail: (error as Error).message };
  }
  const fromSubject = readingSubjectParts(options.prefix, message.subject);
  if (fromSubject && isPlainObject(raw) && !('type' in raw)) {
    const occurredAt = new Date(message.storedAtMs).toISOString();
    raw = { type: 'ReadingRecorded', version: 1, id: `stored-${message.sequence}`, occurredAt, data: { timestamp: occurredAt, ...fromSubject, ...raw } };
  }
  const decoded = validateEvent(raw, options);
  if (!decoded.ok || decoded.event.type !== 'ReadingRecorded') return decoded;
  const { sensorType, deviceCode, deviceNumber } = decoded.event.data;
  const expected = subjects.reading(options.prefix, sensorType, deviceCode, deviceNumber);
  if (message.subject !== expected) {
    return { ok: false, reason: 'invalid_data', detail: `a ${sensorType} reading of ${deviceCode}-${deviceNumber} belongs on ${expected}, not ${message.subject}` };
  }
  return decoded;
}

/** The stored time of a JetStream message, in ms. */
export const storedAtMs = (timestampNanos: bigint) => Number(timestampNanos / 1_000_000n);
