/**
 * Device queries. Status is derived at read time: AWAITING_TARGET (announced, no target
 * yet), SLEEPING (told to sleep), else ONLINE while a reading arrived within three of its
 * intervals by the caller's clock, else OFFLINE.
 */
import type pg from 'pg';
import type { LogLevel } from '../../../../schema/src/logs.ts';
import { DEVICE_CODE_PATTERN, isSensorType, SENSOR_TYPES } from '../../../../schema/src/sensors.ts';
import { badInput } from '../errors.ts';
import { pgTimeToIso } from '../readings/queries.ts';

export const DEVICE_STATUSES = ['ONLINE', 'OFFLINE', 'SLEEPING', 'AWAITING_TARGET'] as const;
export type DeviceStatus = (typeof DEVICE_STATUSES)[number];
/** A device is online while its newest reading is younger than this many intervals. */
export const ONLINE_INTERVALS = 3;

export interface DeviceRow {
  deviceCode: string;
  deviceNumber: number;
  status: DeviceStatus;
  firstSeenAt: string | null;
  lastSeenAt: string | null;
  sensorTypes: string[];
  readingCount: number;
  lostMessages: number;
  intervalMs: number;
  /** The minimum level of log line it was told to publish (SET_LOG_LEVEL). */
  logLevel: LogLevel;
  changedSequence: number;
  target: { name: string; latitude: number | null; longitude: number | null } | null;
}

export interface DeviceFilter {
  deviceCode?: string | null;
  status?: DeviceStatus | null;
  sensorType?: string | null;
}

const statusSql = (nowParam: string) =>
  `CASE WHEN awaiting_target THEN 'AWAITING_TARGET' WHEN sleeping THEN 'SLEEPING'
        WHEN last_seen_at >= ${nowParam}::timestamptz - make_interval(secs => interval_ms * ${ONLINE_INTERVALS} / 1000.0) THEN 'ONLINE' ELSE 'OFFLINE' END`;

const columns = (nowParam: string) => `device_code AS "deviceCode", device_number AS "deviceNumber", ${statusSql(nowParam)} AS status,
  first_seen_at::text AS "firstSeenAt", last_seen_at::text AS "lastSeenAt", sensor_types AS "sensorTypes", reading_count::float8 AS "readingCount",
  (SELECT coalesce(sum(greatest(q.max_seq - q.min_seq + 1 - q.seq_count, 0)), 0)::int FROM device_sequences q
   WHERE q.device_code = devices.device_code AND q.device_number = devices.device_number) AS "lostMessages",
  interval_ms AS "intervalMs", log_level AS "logLevel", changed_sequence::float8 AS "changedSequence",
  CASE WHEN target_name IS NULL THEN NULL ELSE json_build_object('name', target_name, 'latitude', target_latitude, 'longitude', target_longitude) END AS target`;

function toDevice(row: DeviceRow): DeviceRow {
  return { ...row, firstSeenAt: pgTimeToIso(row.firstSeenAt), lastSeenAt: pgTimeToIso(row.lastSeenAt) };
}

export function encodeDeviceCursor(row: Pick<DeviceRow, 'deviceCode' | 'deviceNumber'>): string {
  return Buffer.from(JSON.stringify([row.deviceCode, row.deviceNumber])).toString('base64url');
}

function decodeDeviceCursor(cursor: string): [string, number] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'string' && Number.isInteger(value[1])) return [value[0], value[1] as number];
  } catch {
    // fall through
  }
  throw badInput('after is not a cursor this API issued', 'after');
}

export async function listDevices(db: pg.Pool, filter: DeviceFilter, page: { first?: number | null; after?: string | null }, nowMs: number) {
  const first = page.first ?? 100;
  if (!Number.isInteger(first) || first < 1 || first > 1000) throw badInput('first must be an integer from 1 to 1000', 'first');
  const params: unknown[] = [new Date(nowMs).toISOString()];
  const where: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.deviceCode != null) {
    if (!DEVICE_CODE_PATTERN.test(filter.deviceCode)) throw badInput('deviceCode must be 1–20 capital letters A–Z', 'deviceCode');
    add('device_code = ?', filter.deviceCode);
  }
  if (filter.sensorType != null) {
    if (!isSensorType(filter.sensorType)) throw badInput(`sensorType must be one of ${SENSOR_TYPES.join(', ')}`, 'sensorType');
    add('? = ANY(sensor_types)', filter.sensorType);
  }
  if (filter.status != null) {
    if (!DEVICE_STATUSES.includes(filter.status)) throw badInput(`status must be one of ${DEVICE_STATUSES.join(', ')}`, 'status');
    add(`${statusSql('$1')} = ?`, filter.status);
  }
  if (page.after != null) {
    const [code, number] = decodeDeviceCursor(page.after);
    params.push(code, number);
    where.push(`(device_code, device_number) > ($${params.length - 1}, $${params.length})`);
  }
  params.push(first + 1);
  const result = await db.query<DeviceRow>(
    `SELECT ${columns('$1')} FROM devices ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY device_code, device_number LIMIT $${params.length}`,
    params,
  );
  const rows = result.rows.slice(0, first).map(toDevice);
  return { rows, hasNextPage: result.rows.length > first, hasPreviousPage: page.after != null };
}

export async function findDevice(db: pg.Pool, deviceCode: string, deviceNumber: number, nowMs: number): Promise<DeviceRow | null> {
  const result = await db.query<DeviceRow>(`SELECT ${columns('$1')} FROM devices WHERE device_code = $2 AND device_number = $3`, [
    new Date(nowMs).toISOString(),
    deviceCode,
    deviceNumber,
  ]);
  return result.rows[0] ? toDevice(result.rows[0]) : null;
}

/**
 * Devices whose status may have changed between two sweeps: those with new events since
 * `afterSequence`, and those whose online window ended in (previousMs, nowMs].
 */
export async function devicesToRecheck(db: pg.Pool, afterSequence: number, previousMs: number, nowMs: number): Promise<DeviceRow[]> {
  const result = await db.query<DeviceRow>(
    `SELECT ${columns('$1')} FROM devices
     WHERE changed_sequence > $2
        OR (last_seen_at + make_interval(secs => interval_ms * ${ONLINE_INTERVALS} / 1000.0)) BETWEEN $3::timestamptz AND $1::timestamptz`,
    [new Date(nowMs).toISOString(), afterSequence, new Date(previousMs).toISOString()],
  );
  return result.rows.map(toDevice);
}

export async function allDevices(db: pg.Pool, nowMs: number): Promise<DeviceRow[]> {
  const result = await db.query<DeviceRow>(`SELECT ${columns('$1')} FROM devices`, [new Date(nowMs).toISOString()]);
  return result.rows.map(toDevice);
}
