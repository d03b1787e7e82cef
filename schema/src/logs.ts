/**
 * Device logs: the wire contract between devices (the simulator among them), the API and
 * anything else that reads them (alarm rules).
 *
 * A device publishes each log line to `<prefix>.log.<deviceCode>.<deviceNumber>` (core NATS,
 * JetStream, or MQTT topic `<prefix>/log/<deviceCode>/<deviceNumber>`). The lines are kept in a
 * stream of their own, `<STREAM_NAME>_LOGS`, apart from the domain stream: they are diagnostics,
 * not facts to replay, and they expire — the stream's max age (`DEVICE_LOG_RETENTION`, 24 h by
 * default) is the log TTL; there is no cleanup job.
 *
 * Each device has a minimum level (`info` unless told otherwise by a SET_LOG_LEVEL device
 * command); the device publishes nothing below it.
 */
import { z } from 'zod';
import { DEVICE_CODE_PATTERN, DEVICE_NUMBER_MAX } from './sensors.ts';
import type { StoredMessage } from './stored.ts';

/** Levels in rising order of severity. */
export const LOG_LEVELS = ['debug', 'info', 'warning', 'error', 'critical'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The minimum level of a device that was never told one. */
export const DEFAULT_DEVICE_LOG_LEVEL: LogLevel = 'info';

/** 0 for debug … 4 for critical. */
export function logLevelRank(level: LogLevel): number {
  return LOG_LEVELS.indexOf(level);
}

/** Whether a line of `level` passes a minimum of `minimum` (a line at the minimum passes). */
export function atLeastLevel(level: LogLevel, minimum: LogLevel): boolean {
  return logLevelRank(level) >= logLevelRank(minimum);
}

/** The default of `DEVICE_LOG_RETENTION`: how long a log line is kept. */
export const DEFAULT_LOG_RETENTION_SECONDS = 24 * 3600;
/** The largest log message a device may publish (the stream refuses bigger messages outright). */
export const LOG_MAX_MESSAGE_BYTES = 16 * 1024;
export const LOG_MESSAGE_MAX_LENGTH = 4000;

export const logSubjects = {
  /** Where a device publishes its log lines. */
  line: (prefix: string, deviceCode: string, deviceNumber: number) => `${prefix}.log.${deviceCode}.${deviceNumber}`,
  /** Every device's lines, or one device code's (`deviceCode` given), or one device's (both given). */
  filter: (prefix: string, deviceCode?: string, deviceNumber?: number) =>
    deviceCode === undefined ? (deviceNumber === undefined ? `${prefix}.log.>` : `${prefix}.log.*.${deviceNumber}`) : `${prefix}.log.${deviceCode}.${deviceNumber ?? '*'}`,
  /** What the log stream captures; no subject of the domain or dead-letter streams falls under it. */
  streamSubjects: (prefix: string) => [`${prefix}.log.>`],
};

/** The log stream's name, beside the domain stream `streamName`. */
export const logStreamName = (streamName: string) => `${streamName}_LOGS`;

const fieldValue = z.union([z.string().max(1000), z.number(), z.boolean(), z.null()]);

/**
 * What a device publishes, as JSON. The subject names the device: `deviceCode` and `deviceNumber`
 * may be left out of the body, and must agree with the subject when given. `occurredAt` (the
 * device's clock) defaults to when the stream stored the line.
 *
 *   {"level": "error", "message": "humidity near the top of its range", "occurredAt": "2026-11-22T08:00:00Z", "fields": {"value": 89.7}}
 */
export const logLinePayloadSchema = z.object({
  level: z.enum(LOG_LEVELS, { error: `level must be one of ${LOG_LEVELS.join(', ')}` }),
  message: z.string({ error: 'message must be a string' }).min(1, 'message must not be empty').max(LOG_MESSAGE_MAX_LENGTH, `message must be at most ${LOG_MESSAGE_MAX_LENGTH} characters`),
  occurredAt: z.iso.datetime({ offset: true, error: 'occurredAt must be an RFC 3339 time with an offset' }).optional(),
  deviceCode: z.string().regex(DEVICE_CODE_PATTERN, 'deviceCode must be 1–20 capital letters A–Z').optional(),
  deviceNumber: z.number().int().min(1).max(DEVICE_NUMBER_MAX).optional(),
  /** Structured context (a value, a threshold): at most 20 entries of plain values. */
  fields: z
    .record(z.string().min(1).max(64), fieldValue)
    .refine((f) => Object.keys(f).length <= 20, 'fields may hold at most 20 entries')
    .optional(),
  /** Who wrote the line (a simulator instance, a firmware version). */
  source: z.string().max(200).optional(),
});
export type LogLinePayload = z.infer<typeof logLinePayloadSchema>;

/** A stored log line, as readers see it. */
export interface DeviceLogLine {
  /** Stream sequence in the log stream: the cursor for paging and resuming. */
  sequence: number;
  deviceCode: string;
  deviceNumber: number;
  level: LogLevel;
  message: string;
  /** The device's time for the line (RFC 3339), or the stored time when the device gave none. */
  occurredAt: string;
  /** When the stream stored it (RFC 3339, the server's clock). */
  receivedAt: string;
  fields: Record<string, string | number | boolean | null>;
  source: string | null;
}

export type LogDecoded = { ok: true; line: DeviceLogLine } | { ok: false; detail: string };

/** The device a log subject names, or null when it is not a well-formed log subject of `prefix`. */
export function logSubjectDevice(prefix: string, subject: string): { deviceCode: string; deviceNumber: number } | null {
  const head = `${prefix}.log.`;
  if (!subject.startsWith(head)) return null;
  const parts = subject.slice(head.length).split('.');
  if (parts.length !== 2 || !DEVICE_CODE_PATTERN.test(parts[0]!) || !/^[1-9]\d{0,9}$/.test(parts[1]!)) return null;
  const deviceNumber = Number(parts[1]);
  return deviceNumber <= DEVICE_NUMBER_MAX ? { deviceCode: parts[0]!, deviceNumber } : null;
}

/**
 * Decodes one message of the log stream. Anyone may publish there, so a malformed line is
 * not an error of the reader: it is skipped (with the reason, for whoever logs it).
 */
export function decodeLogMessage(message: StoredMessage, prefix: string): LogDecoded {
  const device = logSubjectDevice(prefix, message.subject);
  if (!device) return { ok: false, detail: `${message.subject} is not a log subject (${prefix}.log.<deviceCode>.<deviceNumber>)` };
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(message.data).toString('utf8'));
  } catch (error) {
    return { ok: false, detail: `malformed JSON: ${(error as Error).message}` };
  }
  const parsed = logLinePayloadSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, detail: issue ? `${issue.path.join('.') || 'line'}: ${issue.message}` : 'unreadable log line' };
  }
  const p = parsed.data;
  if ((p.deviceCode !== undefined && p.deviceCode !== device.deviceCode) || (p.deviceNumber !== undefined && p.deviceNumber !== device.deviceNumber)) {
    return { ok: false, detail: `a line of ${p.deviceCode ?? device.deviceCode}-${p.deviceNumber ?? device.deviceNumber} does not belong on ${message.subject}` };
  }
  const receivedAt = new Date(message.storedAtMs).toISOString();
  return {
    ok: true,
    line: {
      sequence: message.sequence,
      ...device,
      level: p.level,
      message: p.message,
      occurredAt: p.occurredAt === undefined ? receivedAt : new Date(p.occurredAt).toISOString(),
      receivedAt,
      fields: p.fields ?? {},
      source: p.source ?? null,
    },
  };
}

/** The bytes a device publishes for one line. */
export function encodeLogLine(line: LogLinePayload): Uint8Array {
  return Buffer.from(JSON.stringify(line));
}
