/** Which live events a subscriber's filter wants, as index keys, so fan-out costs a few map look-ups per event. */
import type { ReadingData, ReadingFilter } from '../../../schema/src/index.ts';

const ANY = '*';

/** The one key a subscription is filed under: its equality filters, `*` for those it leaves open. */
export function subscriptionKey(filter: ReadingFilter): string {
  return `${filter.sensorType ?? ANY}|${filter.deviceCode ?? ANY}|${filter.deviceNumber ?? ANY}`;
}

/** Every key a reading is delivered to: each combination of its fields and `*` (8 keys). */
export function readingKeys(data: Pick<ReadingData, 'sensorType' | 'deviceCode' | 'deviceNumber'>): string[] {
  const keys: string[] = [];
  for (const type of [data.sensorType, ANY]) {
    for (const code of [data.deviceCode, ANY]) {
      for (const number of [String(data.deviceNumber), ANY]) keys.push(`${type}|${code}|${number}`);
    }
  }
  return keys;
}

/** The time-range part of a filter, which keys do not cover. */
export function inTimeRange(filter: ReadingFilter, timestamp: string): boolean {
  const at = Date.parse(timestamp);
  return (filter.from === undefined || at >= Date.parse(filter.from)) && (filter.to === undefined || at <= Date.parse(filter.to));
}

/** Could a change made by filter `a` touch readings that filter `b` selects? */
export function filtersOverlap(a: ReadingFilter, b: ReadingFilter): boolean {
  for (const field of ['deviceCode', 'deviceNumber', 'sensorType'] as const) {
    if (a[field] !== undefined && b[field] !== undefined && a[field] !== b[field]) return false;
  }
  const start = Math.max(a.from ? Date.parse(a.from) : -Infinity, b.from ? Date.parse(b.from) : -Infinity);
  const end = Math.min(a.to ? Date.parse(a.to) : Infinity, b.to ? Date.parse(b.to) : Infinity);
  return start <= end;
}

/** The NATS subject that selects a filter's readings (wildcards for open fields), for replay. */
export function replaySubject(prefix: string, filter: ReadingFilter): string {
  return `${prefix}.reading.${filter.sensorType ?? ANY}.${filter.deviceCode ?? ANY}.${filter.deviceNumber ?? ANY}`;
}
