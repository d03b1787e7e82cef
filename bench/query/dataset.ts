/**
 * The read benchmark's data: readings generated, seeded, by Postgres itself straight into
 * the migrated `readings` table (publishing millions of events would measure ingest, not
 * reads), and the stream and projector checkpoint set up so that the change path works on
 * them as if the stream had recorded them.
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import type pg from 'pg';
import { checkpointName } from '../../projector/src/projector.ts';
import { LIVE_TABLES } from '../../projector/src/readings/tables.ts';
import { minuteOf } from '../../projector/src/rollups/rollups.ts';
import type { StreamNames } from '../../schema/src/subjects.ts';
import { fmt } from '../support/format.ts';

/** 26 device codes × 16 numbers; each device reports on average every 25 s, so 10 M readings span 7 days. */
export const CODES = Array.from({ length: 26 }, (_, i) => String.fromCharCode(65 + i));
export const NUMBERS_PER_CODE = 16;
export const DEVICES = CODES.length * NUMBERS_PER_CODE;
export const DEVICE_INTERVAL_S = 25;
/** The first reading's time. Fixed (not "now") so that a run reproduces the same rows. */
export const START_MS = Date.UTC(2026, 0, 1);
const TYPES = ['temperature', 'humidity', 'pressure'] as const;
const SEED = 20_260_101;
const CHUNK = 1_000_000;

export interface Dataset {
  rows: number;
  startMs: number;
  /** Time of the last reading + 1 step: every reading is in [startMs, endMs). */
  endMs: number;
}

export function datasetShape(rows: number): Dataset {
  const spanMs = (rows * DEVICE_INTERVAL_S * 1000) / DEVICES;
  return { rows, startMs: START_MS, endMs: START_MS + spanMs };
}

export const deviceOf = (index: number) => ({ deviceCode: CODES[Math.floor(index / NUMBERS_PER_CODE)]!, deviceNumber: 1 + (index % NUMBERS_PER_CODE) });

/**
 * Row `i` (its id, 1…rows): a device drawn by a seeded hash of i, the device's sensor type,
 * a value inside that type's range, and a timestamp in the i-th slot of the span, so ids
 * follow time as stream sequences would (recording order), and no two timestamps are equal.
 */
function insertChunk(shape: Dataset, from: number, to: number): string {
  const stepMicros = Math.floor(((shape.endMs - shape.startMs) * 1000) / shape.rows);
  const start = new Date(shape.startMs).toISOString();
  const h = (salt: number) => `(hashint8extended(i, ${SEED + salt}) & 2147483647)`;
  return `INSERT INTO readings (id, sensor_type, value, device_code, device_number, "timestamp", seq, recorded_at)
    SELECT i, t.sensor_type, t.low + t.spread * (${h(2)} % 1000000) / 1e6, d.code, d.number, t.ts, t.seq, t.ts + interval '20 milliseconds'
    FROM generate_series(${from}::bigint, ${to}::bigint) AS i,
    LATERAL (SELECT ${h(1)} % ${DEVICES} AS device) AS pick,
    LATERAL (SELECT chr(65 + (pick.device / ${NUMBERS_PER_CODE})::int) AS code, 1 + (pick.device % ${NUMBERS_PER_CODE})::int AS number) AS d,
    LATERAL (SELECT (ARRAY['${TYPES.join("','")}'])[1 + (pick.device % 3)::int] AS sensor_type,
      (ARRAY[15, 30, 980])[1 + (pick.device % 3)::int]::float8 AS low,
      (ARRAY[15, 40, 60])[1 + (pick.device % 3)::int]::float8 AS spread,
      timestamptz '${start}' + ((i - 1) * ${stepMicros} + ${h(3)} % ${stepMicros}) * interval '1 microsecond' AS ts,
      (1 + (i - 1) / ${DEVICES})::int AS seq) AS t`;
}

export interface LoadTimings {
  insertS: number;
  indexS: number;
  rollupS: number;
  vacuumS: number;
  tableBytes: number;
  indexBytes: number;
}

/**
 * Bulk load as one would restore a read model: drop the secondary indexes, insert in
 * chunks, re-create the indexes from their own definitions, build the per-minute rollups,
 * VACUUM (visibility map, for index-only scans) and ANALYZE. The devices tables stay empty:
 * nothing measured here reads them.
 */
export async function loadReadings(db: pg.Pool, shape: Dataset, progress: (line: string) => void): Promise<LoadTimings> {
  const client = await db.connect();
  try {
    await client.query("SET synchronous_commit = off; SET maintenance_work_mem = '512MB'");
    const indexes = await client.query<{ name: string; definition: string }>(
      `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
       WHERE schemaname = current_schema() AND tablename = 'readings' AND indexname <> 'readings_pkey' ORDER BY indexname`,
    );
    for (const index of indexes.rows) await client.query(`DROP INDEX ${index.name}`);

    let started = performance.now();
    for (let from = 1; from <= shape.rows; from += CHUNK) {
      const to = Math.min(shape.rows, from + CHUNK - 1);
      await client.query(insertChunk(shape, from, to));
      const seconds = (performance.now() - started) / 1000;
      progress(`loaded ${fmt(to)} / ${fmt(shape.rows)} readings (${fmt(to / seconds)} rows/s)`);
    }
    const insertS = (performance.now() - started) / 1000;

    started = performance.now();
    for (const index of indexes.rows) {
      const t = performance.now();
      await client.query(index.definition);
      progress(`index ${index.name} built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }
    const indexS = (performance.now() - started) / 1000;

    // The per-minute rollups the projector would have kept for these readings (a change recomputes the buckets it touches).
    started = performance.now();
    await client.query(
      `INSERT INTO ${LIVE_TABLES.rollups} (device_code, device_number, sensor_type, minute, count, sum, min, max)
       SELECT device_code, device_number, sensor_type, ${minuteOf('"timestamp"')}, count(*), sum(value::numeric), min(value), max(value)
       FROM readings WHERE deleted_at IS NULL GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
    );
    const rollupS = (performance.now() - started) / 1000;
    progress(`per-minute rollups built in ${rollupS.toFixed(1)} s`);

    started = performance.now();
    await client.query(`VACUUM (ANALYZE) readings, ${LIVE_TABLES.rollups}`);
    const vacuumS = (performance.now() - started) / 1000;
    progress(`VACUUM (ANALYZE) in ${vacuumS.toFixed(1)} s`);
    const size = await client.query<{ table: string; indexes: string }>("SELECT pg_table_size('readings') AS table, pg_indexes_size('readings') AS indexes");
    return { insertS, indexS, rollupS, vacuumS, tableBytes: Number(size.rows[0]?.table ?? 0), indexBytes: Number(size.rows[0]?.indexes ?? 0) };
  } finally {
    client.release();
  }
}

/**
 * The preloaded rows stand for stream sequences 1…rows. A change applies to readings
 * whose id is below the change event's sequence, so the stream must go on after them:
 * a purge up to rows+1 makes an empty stream's next sequence rows+1 (nats-server 2.9
 * has no `first_seq` setting; 2.10 does), as a stream whose old messages were purged.
 * The projector's checkpoint says it has applied everything up to there.
 */
export async function continueStreamAfter(jsm: JetStreamManager, db: pg.Pool, names: StreamNames, rows: number): Promise<void> {
  await jsm.streams.purge(names.stream, { seq: rows + 1 });
  const state = (await jsm.streams.info(names.stream)).state;
  if (state.last_seq !== rows) throw new Error(`stream ${names.stream} should end at ${rows} after the purge, but ends at ${state.last_seq}`);
  await db.query(
    `INSERT INTO projector_checkpoints (name, last_sequence, last_event_at) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET last_sequence = EXCLUDED.last_sequence, last_event_at = EXCLUDED.last_event_at`,
    [checkpointName(names), rows, new Date(datasetShape(rows).endMs).toISOString()],
  );
}
