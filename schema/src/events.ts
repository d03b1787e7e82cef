/**
 * Domain events: one union keyed on `type`, each with a schema `version`.
 * zod validates them at the NATS edge (the projector) — whatever path they came by.
 */
import { z } from 'zod';
import { ALARM_EVENT_SCHEMAS } from './alarms.ts';
import { LOG_LEVELS } from './logs.ts';
import { DEVICE_CODE_PATTERN, DEVICE_NUMBER_MAX, SENSOR_TYPES, valueProblem } from './sensors.ts';

const isoWithOffset = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 time with an offset' });

export const readingDataSchema = z.object({
  sensorType: z.enum(SENSOR_TYPES, { error: `sensorType must be one of ${SENSOR_TYPES.join(', ')}` }),
  value: z.number({ error: 'value must be a number' }).finite('value must be a finite number'),
  deviceCode: z.string().regex(DEVICE_CODE_PATTERN, 'deviceCode must be 1–20 capital letters A–Z'),
  deviceNumber: z
    .number()
    .int('deviceNumber must be an integer')
    .min(1, 'deviceNumber must be between 1 and 2147483647')
    .max(DEVICE_NUMBER_MAX, 'deviceNumber must be between 1 and 2147483647'),
  timestamp: isoWithOffset,
  /** Per-device, per-type counter from the source; absent for sources that do not count. */
  seq: z.number().int().min(1).optional(),
});
export type ReadingData = z.infer<typeof readingDataSchema>;

export const readingFilterSchema = z
  .object({
    deviceCode: z.string().regex(DEVICE_CODE_PATTERN, 'deviceCode must be 1–20 capital letters A–Z').optional(),
    deviceNumber: z.number().int().min(1).max(DEVICE_NUMBER_MAX).optional(),
    sensorType: z.enum(SENSOR_TYPES).optional(),
    from: isoWithOffset.optional(),
    to: isoWithOffset.optional(),
  })
  .strict();
export type ReadingFilter = z.infer<typeof readingFilterSchema>;

export const readingChangesSchema = z
  .object({
    sensorType: z.enum(SENSOR_TYPES).optional(),
    value: z.number().finite().optional(),
    timestamp: isoWithOffset.optional(),
  })
  .strict();
export type ReadingChanges = z.infer<typeof readingChangesSchema>;

const envelope = {
  version: z.literal(1),
  id: z.string().min(1).max(200),
  occurredAt: isoWithOffset,
};
const humanEnvelope = { ...envelope, actor: z.string().min(1).max(200) };
const changeCommand = { commandId: z.string().min(1).max(200), filter: readingFilterSchema };

export const readingRecordedSchema = z.object({
  type: z.literal('ReadingRecorded'),
  ...envelope,
  actor: z.string().min(1).max(200).optional(),
  data: readingDataSchema,
});

export const readingsEditedSchema = z.object({
  type: z.literal('ReadingsEdited'),
  ...humanEnvelope,
  data: z.object({ ...changeCommand, changes: readingChangesSchema }),
});

export const readingsDeletedSchema = z.object({
  type: z.literal('ReadingsDeleted'),
  ...humanEnvelope,
  data: z.object(changeCommand),
});

export const readingsRestoredSchema = z.object({
  type: z.literal('ReadingsRestored'),
  ...humanEnvelope,
  data: z.object(changeCommand),
});

const deviceRef = {
  deviceCode: readingDataSchema.shape.deviceCode,
  deviceNumber: readingDataSchema.shape.deviceNumber,
};

/** A device introduced itself without a target: it measures nothing until one is assigned. */
export const deviceAnnouncedSchema = z.object({
  type: z.literal('DeviceAnnounced'),
  ...envelope,
  actor: z.string().min(1).max(200).optional(),
  data: z.object({ ...deviceRef, sensorType: readingDataSchema.shape.sensorType, source: z.string().max(200).optional() }),
});

export const deviceTargetSchema = z.object({
  name: z.string().min(1, 'target name must not be empty').max(200),
  latitude: z.number().min(-90, 'latitude must be between -90 and 90').max(90, 'latitude must be between -90 and 90').optional(),
  longitude: z.number().min(-180, 'longitude must be between -180 and 180').max(180, 'longitude must be between -180 and 180').optional(),
});
export type DeviceTarget = z.infer<typeof deviceTargetSchema>;

export const deviceTargetAssignedSchema = z.object({
  type: z.literal('DeviceTargetAssigned'),
  ...humanEnvelope,
  data: z.object({ commandId: z.string().min(1).max(200), ...deviceRef, target: deviceTargetSchema }),
});

export const DEVICE_COMMANDS = ['SLEEP', 'WAKE', 'SET_INTERVAL', 'SET_LOG_LEVEL'] as const;
export type DeviceCommand = (typeof DEVICE_COMMANDS)[number];
/** The shortest per-device interval a command may set (SPEC §7). */
export const MIN_INTERVAL_SECONDS = 5;

export const deviceCommandIssuedSchema = z.object({
  type: z.literal('DeviceCommandIssued'),
  ...humanEnvelope,
  data: z.object({
    commandId: z.string().min(1).max(200),
    ...deviceRef,
    command: z.enum(DEVICE_COMMANDS),
    /** For SET_INTERVAL. */
    intervalSeconds: z.number().int().min(MIN_INTERVAL_SECONDS).max(86_400).optional(),
    /** For SET_LOG_LEVEL: the device publishes no log line below it (logs.ts). */
    logLevel: z.enum(LOG_LEVELS).optional(),
  }),
});

export const domainEventSchema = z.discriminatedUnion('type', [
  readingRecordedSchema,
  readingsEditedSchema,
  readingsDeletedSchema,
  readingsRestoredSchema,
  deviceAnnouncedSchema,
  deviceTargetAssignedSchema,
  deviceCommandIssuedSchema,
  ...ALARM_EVENT_SCHEMAS,
]);
export type DomainEvent = z.infer<typeof domainEventSchema>;
export type EventType = DomainEvent['type'];
export type ReadingRecorded = z.infer<typeof readingRecordedSchema>;
export type ReadingsChangeEvent = Extract<DomainEvent, { type: 'ReadingsEdited' | 'ReadingsDeleted' | 'ReadingsRestored' }>;
export type DeviceEvent = Extract<DomainEvent, { type: 'DeviceAnnounced' | 'DeviceTargetAssigned' | 'DeviceCommandIssued' }>;
export const EVENT_TYPES = domainEventSchema.options.map((o) => o.shape.type.value);

/** Why an event was refused; the last part of its dead-letter subject. */
export type RejectReason =
  | 'malformed_json'
  | 'unknown_type'
  | 'invalid_envelope'
  | 'unknown_sensor_type'
  | 'value_out_of_range'
  | 'bad_device_code'
  | 'bad_device_number'
  | 'bad_timestamp'
  | 'timestamp_in_future'
  | 'invalid_data';

export type Decoded =
  | { ok: true; event: DomainEvent }
  | { ok: false; reason: RejectReason; detail: string };

export interface DecodeOptions {
  /** How far a reading's timestamp may lie ahead of the event's occurredAt. */
  maxFutureMs: number;
}

const dataFieldReasons: Record<string, RejectReason> = {
  sensorType: 'unknown_sensor_type',
  value: 'value_out_of_range',
  deviceCode: 'bad_device_code',
  deviceNumber: 'bad_device_number',
  timestamp: 'bad_timestamp',
};

function reasonForIssue(issue: z.core.$ZodIssue): RejectReason {
  const [top, field] = issue.path;
  if (top === 'type') return 'unknown_type';
  if (top !== 'data') return 'invalid_envelope';
  return (typeof field === 'string' && dataFieldReasons[field]) || 'invalid_data';
}

function parseJson(bytes: Uint8Array | string): { ok: true; raw: unknown } | { ok: false; reason: RejectReason; detail: string } {
  try {
    return { ok: true, raw: JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8')) };
  } catch (error) {
    return { ok: false, reason: 'malformed_json', detail: (error as Error).message };
  }
}

/**
 * Validates one parsed event. The future-time rule is measured against the event's
 * own occurredAt, never the wall clock, so a replay judges it the same way.
 */
export function validateEvent(raw: unknown, options: DecodeOptions): Decoded {
  const parsed = domainEventSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (!issue) return { ok: false, reason: 'invalid_envelope', detail: 'unreadable event' };
    const where = issue.path.join('.');
    return { ok: false, reason: reasonForIssue(issue), detail: where ? `${where}: ${issue.message}` : issue.message };
  }
  const event = parsed.data;
  if (event.type === 'DeviceCommandIssued' && event.data.command === 'SET_INTERVAL' && event.data.intervalSeconds === undefined) {
    return { ok: false, reason: 'invalid_data', detail: 'data.intervalSeconds: SET_INTERVAL needs intervalSeconds' };
  }
  if (event.type === 'DeviceCommandIssued' && event.data.command === 'SET_LOG_LEVEL' && event.data.logLevel === undefined) {
    return { ok: false, reason: 'invalid_data', detail: 'data.logLevel: SET_LOG_LEVEL needs logLevel' };
  }
  if (event.type === 'ReadingRecorded') {
    const { sensorType, value, timestamp } = event.data;
    const problem = valueProblem(sensorType, value);
    if (problem) return { ok: false, reason: 'value_out_of_range', detail: problem };
    const aheadMs = Date.parse(timestamp) - Date.parse(event.occurredAt);
    if (aheadMs > options.maxFutureMs) {
      return {
        ok: false,
        reason: 'timestamp_in_future',
        detail: `timestamp ${timestamp} is more than ${options.maxFutureMs / 1000} s after the event time ${event.occurredAt}`,
      };
    }
  }
  return { ok: true, event };
}

/** Parses and validates one event from its bytes. */
export function decodeEvent(bytes: Uint8Array | string, options: DecodeOptions): Decoded {
  const json = parseJson(bytes);
  return json.ok ? validateEvent(json.raw, options) : json;
}

export function encodeEvent(event: DomainEvent): Uint8Array {
  return Buffer.from(JSON.stringify(event));
}
