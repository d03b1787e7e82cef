/**
 * A checksum of the read model: the same events must give the same tables, so a
 * rebuild can be compared with the live tables. Row hashes are combined by XOR, so it
 * streams over any number of rows without building one large string.
 */
import type pg from 'pg';
import type { ReadModelTables } from './tables.ts';

const READING_COLUMNS = [
  'id', 'sensor_type', 'value', 'device_code', 'device_number', '"timestamp"', 'seq', 'recorded_at',
  'updated_at', 'updated_by', 'deleted_at', 'deleted_by', 'restored_at', 'restored_by', 'version',
];
const CHANGE_RESULT_COLUMNS = ['command_id', 'sequence', 'event_type', 'actor', 'affected', 'applied_at'];
const DEVICE_COLUMNS = [
  'device_code', 'device_number', 'first_seen_at', 'last_seen_at', 'sensor_types', 'reading_count', 'interval_ms',
  'awaiting_target', 'sleeping', 'target_name', 'target_latitude', 'target_longitude', 'changed_sequence',
];
const DEVICE_SEQUENCE_COLUMNS = ['device_code', 'device_number', 'sensor_type', 'min_seq', 'max_seq', 'seq_count'];
const ROLLUP_COLUMNS = ['device_code', 'device_number', 'sensor_type', 'minute', 'count', 'sum', 'min', 'max'];

export async function tableChecksum(client: pg.ClientBase | pg.Pool, table: string, columns: string[]): Promise<string> {
  // concat_ws drops NULLs, so each value is tagged with its position to keep NULL and '' apart.
  const row = columns.map((c, i) => `'${i}:' || coalesce(${c}::text, '∅')`).join(` || '|' || `);
  const result = await client.query<{ n: string; a: string | null; b: string | null }>(
    `SELECT count(*) AS n,
       bit_xor(('x' || substr(h, 1, 16))::bit(64)::bigint) AS a,
       bit_xor(('x' || substr(h, 17, 16))::bit(64)::bigint) AS b
     FROM (SELECT md5(${row}) AS h FROM ${table}) rows`,
  );
  const r = result.rows[0];
  return `${r?.n ?? 0}:${r?.a ?? 0}:${r?.b ?? 0}`;
}

export async function readModelChecksum(client: pg.ClientBase | pg.Pool, tables: ReadModelTables): Promise<string> {
  const parts = [
    await tableChecksum(client, tables.readings, READING_COLUMNS),
    await tableChecksum(client, tables.changeResults, CHANGE_RESULT_COLUMNS),
    await tableChecksum(client, tables.devices, DEVICE_COLUMNS),
    await tableChecksum(client, tables.deviceSequences, DEVICE_SEQUENCE_COLUMNS),
    await tableChecksum(client, tables.rollups, ROLLUP_COLUMNS),
  ];
  return parts.join('/');
}
