/**
 * Validation of reading filters and changes as people send them (GraphQL, REST, CLI),
 * with the messages of SPEC §3. Returns the event contract's types.
 */
import {
  DEVICE_CODE_PATTERN,
  DEVICE_NUMBER_MAX,
  SENSOR_TYPES,
  isSensorType,
  valueProblem,
  type ReadingChanges,
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

export function validateFilter(input: FilterInput | null | undefined): ReadingFilter {
  const filter: ReadingFilter = {};
  if (!input) return filter;
  if (input.deviceCode != null) {
    if (!DEVICE_CODE_PATTERN.test(input.deviceCode)) throw badInput('deviceCode must be 1–20 capital letters A–Z', 'deviceCode');
    filter.deviceCode = input.deviceCode;
  }
  if (input.deviceNumber != null) {
    if (!Number.isInteger(input.deviceNumber) || input.deviceNumber < 1 || input.deviceNumber > DEVICE_NUMBER_MAX) {
      throw badInput(`deviceNumber must be an integer from 1 to ${DEVICE_NUMBER_MAX}`, 'deviceNumber');
    }
    filter.deviceNumber = input.deviceNumber;
  }
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
  if (input?.timestamp != null) {
    changes.timestamp = parseTime(input.timestamp, 'timestamp');
    if (Date.parse(changes.timestamp) - nowMs > maxFutureMs) throw badInput(`timestamp cannot be more than ${maxFutureMs / 1000} s in the future`, 'timestamp');
  }
  if (Object.keys(changes).length === 0) throw badInput('at least one field to update must be provided', 'changes');
  return changes;
}
