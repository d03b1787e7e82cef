/**
 * Reading statistics per minute, hour or day (UTC) from the per-minute rollups. Minutes
 * wholly inside the filter's time range come from the rollups; the partial minutes at its
 * edges come from the readings themselves, so the answer equals the aggregate of the raw
 * readings the filter selects.
 */
import type pg from 'pg';
import type { ReadingFilter } from '../../../../schema/src/index.ts';

export const STAT_BUCKETS = ['MINUTE', 'HOUR', 'DAY'] as const;
export type StatBucket = (typeof STAT_BUCKETS)[number];

export interface StatRow {
  start: string;
  count: number;
  min: number;
  max: number;
  avg: number;
}

const MINUTE = 60_000;

export async function readingStats(db: pg.Pool, filter: ReadingFilter, bucket: StatBucket): Promise<StatRow[]> {
  const params: unknown[] = [bucket.toLowerCase()];
  const equal: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    equal.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.deviceCode !== undefined) add('device_code = ?', filter.deviceCode);
  if (filter.deviceNumber !== undefined) add('device_number = ?', filter.deviceNumber);
  if (filter.sensorType !== undefined) add('sensor_type = ?', filter.sensorType);
  const from = filter.from ? Date.parse(filter.from) : null;
  const to = filter.to ? Date.parse(filter.to) : null;
  // Whole minutes: [fullFrom, fullTo). The rest of [from, to] is read raw.
  const fullFrom = from === null ? null : Math.ceil(from / MINUTE) * MINUTE;
  const fullTo = to === null ? null : Math.floor(to / MINUTE) * MINUTE;
  const at = (ms: number) => {
    params.push(new Date(ms).toISOString());
    return `$${params.length}::timestamptz`;
  };
  const fullRange = fullFrom === null || fullTo === null || fullFrom < fullTo;
  const rollupWhere = [...equal];
  if (fullRange && fullFrom !== null) rollupWhere.push(`minute >= ${at(fullFrom)}`);
  if (fullRange && fullTo !== null) rollupWhere.push(`minute < ${at(fullTo)}`);
  const edges: string[] = [];
  if (!fullRange) {
    // Not one whole minute inside the range: it is all raw.
    edges.push(`("timestamp" >= ${at(from!)} AND "timestamp" <= ${at(to!)})`);
  } else {
    if (from !== null && fullFrom !== null && from < fullFrom) edges.push(`("timestamp" >= ${at(from)} AND "timestamp" < ${at(fullFrom)})`);
    if (to !== null && fullTo !== null) edges.push(`("timestamp" >= ${at(fullTo)} AND "timestamp" <= ${at(to)})`);
  }
  const parts: string[] = [];
  if (fullRange) parts.push(`SELECT minute AS t, count AS n, sum AS s, min AS lo, max AS hi FROM reading_rollups${rollupWhere.length ? ` WHERE ${rollupWhere.join(' AND ')}` : ''}`);
  if (edges.length) {
    parts.push(`SELECT "timestamp" AS t, 1 AS n, value::numeric AS s, value AS lo, value AS hi FROM readings WHERE deleted_at IS NULL${equal.length ? ` AND ${equal.join(' AND ')}` : ''} AND (${edges.join(' OR ')})`);
  }
  const result = await db.query<{ start: string; count: string; min: number; max: number; avg: number }>(
    `SELECT (date_trunc($1, t AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')::text AS start, sum(n) AS count, min(lo) AS min, max(hi) AS max, (sum(s) / sum(n))::float8 AS avg
     FROM (${parts.join(' UNION ALL ')}) parts GROUP BY 1 ORDER BY 1`,
    params,
  );
  return result.rows.map((r) => ({ start: r.start.replace(' ', 'T').replace(/\+00$/, 'Z'), count: Number(r.count), min: r.min, max: r.max, avg: r.avg }));
}
