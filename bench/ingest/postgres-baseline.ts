/**
 * Baseline 2: what Postgres alone takes of the same rows, into copies of the
 * read-model tables with the same columns and indexes: COPY into readings (the
 * fastest way in), and the projector's own statements in batch transactions
 * (the SQL the live path runs, without NATS or decoding).
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { applyEvents } from '../../projector/src/readings/apply.ts';
import { LIVE_TABLES, tableList, type ReadModelTables } from '../../projector/src/readings/tables.ts';
import type { Timed } from './jetstream-baseline.ts';
import type { ReadingMessage } from './messages.ts';

const COLUMNS = ['id', 'sensor_type', 'value', 'device_code', 'device_number', 'timestamp', 'seq', 'recorded_at'];
const ROWS_PER_CHUNK = 2000;

/**
 * A fresh table shaped like `source`: columns, defaults, keys, every (partial) index, and
 * its storage parameters (LIKE does not copy them; a fillfactor decides whether updates are HOT).
 */
async function createLike(db: pg.Pool, table: string, source: string): Promise<void> {
  await db.query(`DROP TABLE IF EXISTS ${table}`);
  await db.query(`CREATE TABLE ${table} (LIKE ${source} INCLUDING ALL)`);
  const options = await db.query<{ reloptions: string[] | null }>('SELECT reloptions FROM pg_class WHERE oid = $1::regclass', [source]);
  const reloptions = options.rows[0]?.reloptions;
  if (reloptions?.length) await db.query(`ALTER TABLE ${table} SET (${reloptions.join(', ')})`);
}

/**
 * Rows as COPY text, ROWS_PER_CHUNK at a time, from messages arriving in chunks.
 * The stream sequence is the row id; messages are published in order from sequence 1.
 */
function* copyText(chunks: Iterable<readonly ReadingMessage[]>, counted: { rows: number }): Generator<string> {
  for (const messages of chunks) {
    for (let start = 0; start < messages.length; start += ROWS_PER_CHUNK) {
      let text = '';
      for (let i = start; i < Math.min(start + ROWS_PER_CHUNK, messages.length); i++) {
        const { event } = messages[i]!;
        const d = event.data;
        text += `${++counted.rows}\t${d.sensorType}\t${d.value}\t${d.deviceCode}\t${d.deviceNumber}\t${d.timestamp}\t${d.seq ?? '\\N'}\t${event.occurredAt}\n`;
      }
      yield text;
    }
  }
}

/**
 * One COPY of every row into a fresh copy of the readings table. `chunks` may be a
 * generator: the rows are then built while COPY runs, and that time counts too.
 */
export async function copyRows(db: pg.Pool, chunks: Iterable<readonly ReadingMessage[]>): Promise<Timed> {
  const table = 'bench_readings_copy';
  await createLike(db, table, 'readings');
  const client = await db.connect();
  try {
    const counted = { rows: 0 };
    const startedAt = performance.now();
    const sink = client.query(copyFrom(`COPY ${table} (${COLUMNS.map((c) => `"${c}"`).join(', ')}) FROM STDIN`));
    await pipeline(Readable.from(copyText(chunks, counted)), sink);
    const seconds = (performance.now() - startedAt) / 1000;
    return { count: counted.rows, seconds, perSecond: counted.rows / seconds };
  } finally {
    client.release();
    await db.query(`DROP TABLE ${table}`);
  }
}

/** Fresh, empty copies of every live read-model table, named `bench_<table>`. */
async function createReadModelCopies(db: pg.Pool): Promise<ReadModelTables> {
  const tables: ReadModelTables = { ...LIVE_TABLES, notifyChanges: false };
  for (const key of Object.keys(tables) as Array<keyof ReadModelTables>) {
    const live = LIVE_TABLES[key];
    if (typeof live === 'string') Object.assign(tables, { [key]: `bench_${live}` });
  }
  const live = tableList(LIVE_TABLES);
  for (const [i, copy] of tableList(tables).entries()) await createLike(db, copy, live[i]!);
  return tables;
}

/**
 * The projector's own statements (`applyEvents`: the readings insert and the read models
 * folded from the same rows — devices, rollups — as the projector has them now)
 * and a checkpoint update, one transaction per `batchSize` rows, into copies of the
 * read-model tables: the live path's SQL without NATS or decoding.
 */
export async function insertLikeProjector(db: pg.Pool, chunks: Iterable<readonly ReadingMessage[]>, batchSize: number): Promise<Timed> {
  const tables = await createReadModelCopies(db);
  await db.query(`INSERT INTO projector_checkpoints (name, last_sequence) VALUES ('bench-insert', 0) ON CONFLICT (name) DO NOTHING`);
  const client = await db.connect();
  let failed = false;
  let sequence = 0;
  try {
    const startedAt = performance.now();
    for (const messages of chunks) {
      for (let start = 0; start < messages.length; start += batchSize) {
        const events = messages.slice(start, start + batchSize).map((m) => ({ sequence: ++sequence, event: m.event }));
        await client.query('BEGIN');
        await client.query(`SELECT last_sequence FROM projector_checkpoints WHERE name = 'bench-insert' FOR UPDATE`);
        await applyEvents(client, tables, events);
        await client.query(`UPDATE projector_checkpoints SET last_sequence = $1 WHERE name = 'bench-insert'`, [sequence]);
        await client.query('COMMIT');
      }
    }
    const seconds = (performance.now() - startedAt) / 1000;
    return { count: sequence, seconds, perSecond: sequence / seconds };
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    // A client left inside a failed transaction is not given back to the pool.
    client.release(failed);
    for (const table of tableList(tables)) await db.query(`DROP TABLE IF EXISTS ${table}`);
    await db.query(`DELETE FROM projector_checkpoints WHERE name = 'bench-insert'`);
  }
}
