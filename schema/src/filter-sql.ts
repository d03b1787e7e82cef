/**
 * SQL for the reading filter of SPEC §3 and for the valid range of each sensor type:
 * the projector (applying changes) and the API (querying) mean the same rows by a filter.
 */
import { SENSOR_RANGES, SENSOR_TYPES, type ReadingFilter } from './index.ts';

/** `AND`-joined conditions for a filter; parameters are numbered after `params` already given. */
export function filterConditions(filter: ReadingFilter, params: unknown[]): string[] {
  const conditions: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    conditions.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.deviceCode !== undefined) add('device_code = ?', filter.deviceCode);
  if (filter.deviceNumber !== undefined) add('device_number = ?', filter.deviceNumber);
  if (filter.sensorType !== undefined) add('sensor_type = ?', filter.sensorType);
  if (filter.from !== undefined) add('"timestamp" >= ?::timestamptz', filter.from);
  if (filter.to !== undefined) add('"timestamp" <= ?::timestamptz', filter.to);
  return conditions;
}

/**
 * A boolean SQL expression: is `valueSql` inside the valid range of `typeSql`?
 * Generated from SENSOR_RANGES so the rule lives in one place.
 */
export function inRangeSql(typeSql: string, valueSql: string): string {
  const arms = SENSOR_TYPES.map((t) => `WHEN '${t}' THEN ${valueSql} BETWEEN ${SENSOR_RANGES[t].min} AND ${SENSOR_RANGES[t].max}`);
  return `(CASE ${typeSql} ${arms.join(' ')} ELSE false END)`;
}
