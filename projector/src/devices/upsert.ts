/**
 * The devices read model, folded from the same runs of readings as the readings table:
 * first/last seen (event time), sensor types, counts, and lost messages from `seq` gaps.
 * A gap filled later by a late message is not a loss: per device and type we keep the
 * range of `seq` seen and how many arrived, and lost = range − arrived. (A source that
 * restarts its counter makes the range overlap itself; such losses are then undercounted.)
 */
import type pg from 'pg';
import type { ReadModelTables } from '../readings/tables.ts';

export interface DeviceColumns {
  codes: string[];
  numbers: number[];
  types: string[];
  seqs: (number | null)[];
  recordedAt: string[];
  ids: number[];
}

export async function upsertDevices(client: pg.ClientBase, tables: ReadModelTables, rows: DeviceColumns): Promise<void> {
  if (rows.codes.length === 0) return;
  const params = [rows.codes, rows.numbers, rows.types, rows.seqs, rows.recordedAt, rows.ids];
  const input = `unnest($1::text[], $2::int[], $3::text[], $4::bigint[], $5::timestamptz[], $6::bigint[]) AS r(code, num, type, seq, at, id)`;
  await client.query({
    name: `upsert-device-sequences:${tables.deviceSequences}`,
    text: `INSERT INTO ${tables.deviceSequences} AS s (device_code, device_number, sensor_type, min_seq, max_seq, seq_count)
      SELECT code, num, type, min(seq), max(seq), count(seq) FROM ${input} WHERE seq IS NOT NULL GROUP BY 1, 2, 3
      ON CONFLICT (device_code, device_number, sensor_type) DO UPDATE SET
        min_seq = least(s.min_seq, excluded.min_seq), max_seq = greatest(s.max_seq, excluded.max_seq), seq_count = s.seq_count + excluded.seq_count`,
    values: params,
  });
  await client.query({
    name: `upsert-devices:${tables.devices}`,
    text: `INSERT INTO ${tables.devices} AS d (device_code, device_number, first_seen_at, last_seen_at, sensor_types, reading_count, changed_sequence)
      SELECT r.code, r.num, min(r.at), max(r.at), array_agg(DISTINCT r.type ORDER BY r.type), count(*), max(r.id)
      FROM ${input} GROUP BY r.code, r.num
      ON CONFLICT (device_code, device_number) DO UPDATE SET
        first_seen_at = least(d.first_seen_at, excluded.first_seen_at),
        last_seen_at = greatest(d.last_seen_at, excluded.last_seen_at),
        -- Rewritten only when a new type appears, so the usual update changes no array.
        sensor_types = CASE WHEN excluded.sensor_types <@ d.sensor_types THEN d.sensor_types
          ELSE ARRAY(SELECT DISTINCT t FROM unnest(d.sensor_types || excluded.sensor_types) AS t ORDER BY t) END,
        reading_count = d.reading_count + excluded.reading_count,
        changed_sequence = excluded.changed_sequence`,
    values: params,
  });
}
