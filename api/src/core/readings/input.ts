/**
 * Validation of reading filters, changes and new readings as people and devices send them
 * (GraphQL, REST, CLI), with the messages of SPEC §3. Returns the event contract's types.
 */
import {
  DEVICE_CODE_PATTERN,
  DEVICE_NUMBER_MAX,
  SENSOR_TYPES,
  isSensorType,
  valueProblem,
  type ReadingChanges,
  type ReadingData,
  type ReadingFilter,
  type SensorType,
} from '../../../../schema/src/index.ts';
import { badInput } from '../errors.ts';

export interface FilterInput {
  deviceCode?: string | null;
  deviceNumber?: number | null;
  sensorType?: string | null;
  from?: string | null;
  to?: string | null;
}

export interface ChangesInput {
  sensorType?: string | null;
  value?: number | null;
  timestamp?: string | null;
}

/** A new reading as a device or a person sends it (recordReadings, the REST manual endpoint). */
export interface ReadingInput {
  sensorType: string;
  value: number;
  deviceCode: string;
  deviceNumber: number;
  timestamp: string;
  seq?: number | null;
}

export type ChangeKind = 'update' | 'deletion' | 'restore';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

/** Normalises an RFC 3339 time with an offset to ISO UTC, or throws naming the field. */
export function parseTime(value: string, field: string): string {
  const ms = Date.parse(value);
  if (!RFC3339.test(value) || Number.isNaN(ms)) throw badInput(`${field} must be an RFC 3339 time with an offset, e.g. 2026-01-31T12:00:00Z`, field);
  return new Date(ms).toISOString();
}

function sensorTypeOf(value: string, field: string): SensorType {
  if (!isSensorType(value)) throw badInput(`${field} must be one of ${SENSOR_TYPES.join(', ')}`, field);
  return value;
}

function deviceCodeOf(value: string): string {
  if (!DEVICE_CODE_PATTERN.test(value)) throw badInput('deviceCode must be 1–20 capital letters A–Z', 'deviceCode');
  return value;
}

function deviceNumberOf(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > DEVICE_NUMBER_MAX) throw badInput(`deviceNumber must be an integer from 1 to ${DEVICE_NUMBER_MAX}`, 'deviceNumber');
  return value;
}

/** A measurement time: RFC 3339 with an offset, not more than `maxFutureMs` ahead of now. */
function measuredAt(value: string, nowMs: number, maxFutureMs: number): string {
  const timestamp = parseTime(value, 'timestamp');
  if (Date.parse(timestamp) - nowMs > maxFutureMs) throw badInput(`timestamp cannot be more than ${maxFutureMs / 1000} s in the future`, 'timestamp');
  return timestamp;
}

export function validateFilter(input: FilterInput | null | undefined): ReadingFilter {
  const filter: ReadingFilter = {};
  if (!input) return filter;
  if (input.deviceCode != null) filter.deviceCode = deviceCodeOf(input.deviceCode);
  if (input.deviceNumber != null) filter.deviceNumber = deviceNumberOf(input.deviceNumber);
  if (input.sensorType != null) filter.sensorType = sensorTypeOf(input.sensorType, 'sensorType');
  if (input.from != null) filter.from = parseTime(input.from, 'from');
  if (input.to != null) filter.to = parseTime(input.to, 'to');
  if (filter.from && filter.to && Date.parse(filter.from) > Date.parse(filter.to)) throw badInput('start time cannot be greater than end time', 'from');
  return filter;
}

export function requireNonEmptyFilter(filter: ReadingFilter, kind: ChangeKind): void {
  if (Object.keys(filter).length === 0) throw badInput(`at least one filter is required for ${kind}`, 'filter');
}

/**
 * New values obey the reading rules. The value is checked against the type the rows
 * will have (the new type, else the filter's); with neither, against every type, and
 * the projector leaves any row the value would not fit.
 */
export function validateChanges(input: ChangesInput | null | undefined, filter: ReadingFilter, nowMs: number, maxFutureMs: number): ReadingChanges {
  const changes: ReadingChanges = {};
  if (input?.sensorType != null) changes.sensorType = sensorTypeOf(input.sensorType, 'sensorType');
  if (input?.value != null) {
    const targetType = changes.sensorType ?? filter.sensorType;
    const problems = (targetType ? [targetType] : SENSOR_TYPES).map((t) => valueProblem(t, input.value as number));
    const fits = problems.some((p) => p === null);
    if (!fits) throw badInput(problems.length === 1 ? problems[0]! : `value ${input.value} is out of range for every sensor type`, 'value');
    changes.value = input.value;
  }
  if (input?.timestamp != null) changes.timestamp = measuredAt(input.timestamp, nowMs, maxFutureMs);
  if (Object.keys(changes).length === 0) throw badInput('at least one field to update must be provided', 'changes');
  return changes;
}

/** Presence and JSON type of a field (REST and CLI callers send raw JSON; GraphQL has checked these already). */
function required<T>(value: unknown, field: keyof ReadingInput, kind: 'string' | 'number', expected: string): T {
  if (typeof value !== kind) throw badInput(`${field} is required: ${expected}`, field);
  return value as T;
}

/**
 * A new reading obeys every rule of SPEC §3: the ones the projector applies to whatever
 * arrives over NATS or MQTT, plus the future-time limit measured against now.
 */
export function validateReading(input: ReadingInput, nowMs: number, maxFutureMs: number): ReadingData {
  if (typeof input !== 'object' || input === null) throw badInput('a reading is an object with sensorType, value, deviceCode, deviceNumber, timestamp and optionally seq', 'reading');
  const sensorType = sensorTypeOf(required(input.sensorType, 'sensorType', 'string', `one of ${SENSOR_TYPES.join(', ')}`), 'sensorType');
  const value = required<number>(input.value, 'value', 'number', 'a number');
  const problem = valueProblem(sensorType, value);
  if (problem) throw badInput(problem, 'value');
  const reading: ReadingData = {
    sensorType,
    value,
    deviceCode: deviceCodeOf(required(input.deviceCode, 'deviceCode', 'string', '1–20 capital letters A–Z')),
    deviceNumber: deviceNumberOf(required(input.deviceNumber, 'deviceNumber', 'number', `an integer from 1 to ${DEVICE_NUMBER_MAX}`)),
    timestamp: measuredAt(required(input.timestamp, 'timestamp', 'string', 'an RFC 3339 time with an offset'), nowMs, maxFutureMs),
  };
  if (input.seq != null) {
    if (!Number.isInteger(input.seq) || input.seq < 1) throw badInput('seq must be a whole number from 1 up', 'seq');
    reading.seq = input.seq;
  }
  return reading;
}
