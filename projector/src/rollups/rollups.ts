/**
 * Per-minute rollups (count, sum, min, max per device, type and UTC minute) of active
 * readings. New readings are added incrementally; after an edit, delete or restore the
 * buckets it touched (before and after the change) are recomputed from the readings, since
 * a min or max cannot be taken back. Sums are numeric, so every path gives the same total.
 */
import type pg from 'pg';
import type { ReadModelTables } from '../readings/tables.ts';

/** The UTC minute a timestamp falls in, independent of the session's time zone. */
export const minuteOf = (column: string) => `(date_trunc('minute', ${column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;

export interface RollupInput {
  codes: string[];
  numbers: number[];
  types: string[];
  values: number[];
  timestamps: string[];
}

export async function addToRollups(client: pg.ClientBase, tables: ReadModelTables, rows: RollupInput): Promise<void> {
  if (rows.codes.length === 0) return;
  await client.query({
    name: `add-rollups:${tables.rollups}`,
    text: `INSERT INTO ${tables.rollups} AS r (device_code, device_number, sensor_type, minute, count, sum, min, max)
      SELECT code, num, type, ${minuteOf('ts')}, count(*), sum(v::numeric), min(v), max(v)
      FROM unnest($1::text[], $2::int[], $3::text[], $4::float8[], $5::timestamptz[]) AS u(code, num, type, v, ts)
      GROUP BY 1, 2, 3, 4
      ON CONFLICT (device_code, device_number, sensor_type, minute) DO UPDATE SET
        count = r.count + excluded.count, sum = r.sum + excluded.sum, min = least(r.min, excluded.min), max = greatest(r.max, excluded.max)`,
    values: [rows.codes, rows.numbers, rows.types, rows.values, rows.timestamps],
  });
}

/** A bucket key: device code, number, sensor type, minute (as text). */
export type BucketKey = [string, number, string, string];

/** Recomputes the given buckets from the active readings (a bucket with none left disappears). */
export async function recomputeRollups(client: pg.ClientBase, tables: ReadModelTables, keys: readonly BucketKey[]): Promise<void> {
  if (keys.length === 0) return;
  const columns = [keys.map((k) => k[0]), keys.map((k) => k[1]), keys.map((k) => k[2]), keys.map((k) => k[3])];
  const buckets = `unnest($1::text[], $2::int[], $3::text[], $4::timestamptz[]) AS b(code, num, type, minute)`;
  await client.query(
    `DELETE FROM ${tables.rollups} r USING ${buckets}
     WHERE r.device_code = b.code AND r.device_number = b.num AND r.sensor_type = b.type AND r.minute = b.minute`,
    columns,
  );
  await client.query(
    `INSERT INTO ${tables.rollups} (device_code, device_number, sensor_type, minute, count, sum, min, max)
     SELECT b.code, b.num, b.type, b.minute, count(*), sum(x.value::numeric), min(x.value), max(x.value)
     FROM ${buckets}
     JOIN ${tables.readings} x ON x.device_code = b.code AND x.device_number = b.num AND x.sensor_type = b.type
       AND x."timestamp" >= b.minute AND x."timestamp" < b.minute + interval '1 minute' AND x.deleted_at IS NULL
     GROUP BY 1, 2, 3, 4`,
    columns,
  );
}

/** The SELECT list that names the bucket of a reading row (table alias `row`). */
export const bucketColumns = (row: string) => `${row}.device_code, ${row}.device_number, ${row}.sensor_type, ${minuteOf(`${row}."timestamp"`)}::text AS minute`;

export function bucketKeys(rows: { device_code: string; device_number: number; sensor_type: string; minute: string }[]): BucketKey[] {
  const seen = new Map<string, BucketKey>();
  for (const r of rows) seen.set(`${r.device_code}|${r.device_number}|${r.sensor_type}|${r.minute}`, [r.device_code, r.device_number, r.sensor_type, r.minute]);
  return [...seen.values()];
}
