/**
 * What the clients ask: GraphQL documents and seeded variables over the generated data,
 * deep cursors found in SQL, windows of exactly 100 readings for the change path, and
 * EXPLAIN of the very SQL the API's query functions send.
 */
import type pg from 'pg';
import { countReadings, encodeCursor, listReadings, pgTimeToIso, type PageRequest, type ReadingRow } from '../../api/src/core/readings/queries.ts';
import type { ReadingFilter, SensorType } from '../../schema/src/index.ts';
import { createRng, type Rng } from '../../simulator/src/random.ts';
import { CODES, DEVICE_INTERVAL_S, DEVICES, deviceOf, type Dataset } from './dataset.ts';
import type { SqlRequest } from './load-client.ts';

export const PAGE_SIZE = 100;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const HELLO_QUERY = '{ hello }';
export const PAGE_QUERY = `query Page($filter: ReadingFilter, $first: Int, $after: String) {
  readings(filter: $filter, first: $first, after: $after) {
    nodes { id sensorType value deviceCode deviceNumber timestamp }
    pageInfo { hasNextPage endCursor }
  }
}`;
export const NUMBERED_PAGE_QUERY = `query Numbered($filter: ReadingFilter, $page: Int, $limit: Int) {
  readings(filter: $filter, page: $page, limit: $limit) {
    nodes { id sensorType value deviceCode deviceNumber timestamp }
    pageInfo { hasNextPage }
  }
}`;
export const COUNT_QUERY = `query Count($filter: ReadingFilter) {
  readings(filter: $filter, first: 1) { totalCount }
}`;
export const UPDATE_MUTATION = `mutation Update($filter: ReadingFilter!, $changes: ReadingChanges!) {
  updateReadings(filter: $filter, changes: $changes) { affected sequence commandId }
}`;

export type FilterShape = 'device-hour' | 'code-hour' | 'device-day' | 'code-day';

export const SHAPE_LABEL: Record<FilterShape, string> = {
  'device-hour': 'device (code + number) + 1 hour',
  'code-hour': 'deviceCode + 1 hour',
  'device-day': 'device (code + number) + 1 day',
  'code-day': 'deviceCode + 1 day',
};

/** A window of `lengthMs` starting anywhere in the data (or at its start when the data is shorter). */
function window(rng: Rng, data: Dataset, lengthMs: number): { from: string; to: string } {
  const latest = Math.max(data.startMs, data.endMs - lengthMs);
  const from = data.startMs + Math.floor(rng() * (latest - data.startMs));
  return { from: new Date(from).toISOString(), to: new Date(from + lengthMs).toISOString() };
}

export function filters(shape: FilterShape, data: Dataset, count: number, seed: number): ReadingFilter[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, () => {
    const device = deviceOf(Math.floor(rng() * DEVICES));
    const who = shape.startsWith('device') ? device : { deviceCode: device.deviceCode };
    return { ...who, ...window(rng, data, shape.endsWith('hour') ? HOUR_MS : DAY_MS) };
  });
}

export const body = (query: string, variables: Record<string, unknown> = {}) => JSON.stringify({ query, variables });

export const pageBodies = (list: readonly ReadingFilter[]) => list.map((filter) => body(PAGE_QUERY, { filter, first: PAGE_SIZE }));
export const sqlPages = (list: readonly ReadingFilter[]): SqlRequest[] => list.map((filter) => ({ filter, page: { first: PAGE_SIZE } }));

/** Runs an API query function against a stand-in pool that keeps the SQL it was given. */
async function capture(run: (db: pg.Pool) => Promise<unknown>): Promise<{ text: string; values: unknown[] }> {
  let captured: { text: string; values: unknown[] } | null = null;
  const recorder = {
    query: async (text: string, values: unknown[]) => {
      captured = { text, values };
      return { rows: [], rowCount: 0 };
    },
  };
  await run(recorder as unknown as pg.Pool);
  if (!captured) throw new Error('the query function sent no SQL');
  return captured;
}

export const pageSql = (filter: ReadingFilter, page: PageRequest) => capture((db) => listReadings(db, 'active', filter, page));
export const countSql = (filter: ReadingFilter) => capture((db) => countReadings(db, 'active', filter));

export interface Plan {
  text: string;
  /** The scan node that reads the readings, with its timing. */
  keyLine: string;
  planningMs: number;
  executionMs: number;
}

/** EXPLAIN (ANALYZE, BUFFERS) of a statement, run once before to warm the cache as the load does. */
export async function explain(db: pg.Pool, statement: { text: string; values: unknown[] }): Promise<Plan> {
  await db.query(statement.text, statement.values);
  const result = await db.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS) ${statement.text}`, statement.values);
  const lines = result.rows.map((r) => r['QUERY PLAN']);
  const scan = lines.findIndex((l) => /Scan/.test(l));
  const detail = lines.slice(scan + 1).find((l) => /Rows Removed|Heap Fetches/.test(l))?.trim();
  const keyLine = [lines[scan]?.replace(/^[\s->]+/, '').replace(/\(cost=[^)]*\) /, '') ?? '', detail].filter(Boolean).join('; ');
  const timeOf = (label: string) => Number(lines.find((l) => l.startsWith(label))?.match(/([\d.]+) ms/)?.[1] ?? 0);
  return { text: lines.join('\n'), keyLine, planningMs: timeOf('Planning Time'), executionMs: timeOf('Execution Time') };
}

export interface DeepCursor {
  filter: ReadingFilter;
  /** The page the cursor leads to (1-based). */
  page: number;
  after: string;
}

/**
 * The cursor the API would have handed out at the end of page `page − 1`: the keyset of the
 * reading at that depth, found once in SQL (paging there would take 10,000 requests).
 * `utc` must be a pool whose sessions speak UTC, as the API's do.
 */
export async function deepCursor(utc: pg.Pool, filter: ReadingFilter, page: number): Promise<DeepCursor> {
  const params: unknown[] = [];
  const where = ['deleted_at IS NULL'];
  if (filter.deviceCode) {
    params.push(filter.deviceCode);
    where.push(`device_code = $${params.length}`);
  }
  params.push((page - 1) * PAGE_SIZE - 1);
  const result = await utc.query<{ timestamp: string; id: string }>(
    `SELECT "timestamp"::text AS timestamp, id::text AS id FROM readings WHERE ${where.join(' AND ')}
     ORDER BY "timestamp" DESC, id DESC OFFSET $${params.length} LIMIT 1`,
    params,
  );
  const row = result.rows[0];
  if (!row) throw new Error(`no page ${page} for ${JSON.stringify(filter)}`);
  return { filter, page, after: encodeCursor({ timestamp: pgTimeToIso(row.timestamp), id: row.id } as ReadingRow) };
}

export interface ChangeWindow {
  filter: ReadingFilter;
  sensorType: SensorType;
}

/** Values inside each type's valid range, two per type to alternate between. */
const NEW_VALUES: Record<string, [number, number]> = { temperature: [21.5, 22.5], humidity: [41.5, 42.5], pressure: [1001.5, 1002.5] };
export const newValue = (w: ChangeWindow, round: number) => NEW_VALUES[w.sensorType]![round % 2]!;

/**
 * Filters (device + a time range) that match exactly `size` readings each, on `count`
 * devices: from the first reading's millisecond to just after the last one's (the API keeps
 * milliseconds; the readings of one device are seconds apart).
 */
export async function changeWindows(db: pg.Pool, data: Dataset, count: number, size: number, seed: number): Promise<ChangeWindow[]> {
  const rng = createRng(seed);
  const out: ChangeWindow[] = [];
  for (let attempt = 0; out.length < count && attempt < count * 10; attempt++) {
    const device = deviceOf(Math.floor(rng() * DEVICES));
    const start = window(rng, data, 2 * size * DEVICE_INTERVAL_S * 1000).from;
    const rows = await db.query<{ ms: string; sensor_type: SensorType }>(
      `SELECT (extract(epoch FROM "timestamp") * 1000)::text AS ms, sensor_type FROM readings
       WHERE deleted_at IS NULL AND device_code = $1 AND device_number = $2 AND "timestamp" >= $3 ORDER BY "timestamp", id LIMIT $4`,
      [device.deviceCode, device.deviceNumber, start, size],
    );
    if (rows.rows.length < size) continue;
    const from = Math.floor(Number(rows.rows[0]!.ms));
    const to = Math.floor(Number(rows.rows.at(-1)!.ms)) + 1;
    const filter: ReadingFilter = { ...device, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    const counted = await db.query<{ n: string }>(
      'SELECT count(*) AS n FROM readings WHERE deleted_at IS NULL AND device_code = $1 AND device_number = $2 AND "timestamp" BETWEEN $3 AND $4',
      [device.deviceCode, device.deviceNumber, filter.from, filter.to],
    );
    if (Number(counted.rows[0]?.n) === size) out.push({ filter, sensorType: rows.rows[0]!.sensor_type });
  }
  if (out.length < count) throw new Error(`found only ${out.length} device windows of exactly ${size} readings`);
  return out;
}

export const someCodes = (n: number) => CODES.filter((_, i) => i % Math.ceil(CODES.length / n) === 0).slice(0, n);
