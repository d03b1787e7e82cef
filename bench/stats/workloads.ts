/**
 * What the stats benchmark asks, three ways: `readingStats` through the API, the SQL the
 * API's core function sends (rollups + raw edge minutes), and the same aggregate straight
 * from the raw readings (GROUP BY date_trunc). Windows are whole UTC days and hours drawn,
 * seeded, inside the loaded data.
 */
import type pg from 'pg';
import { readingStats, type StatBucket, type StatRow } from '../../api/src/core/readings/stats.ts';
import type { ReadingFilter } from '../../schema/src/index.ts';
import { createRng } from '../../simulator/src/random.ts';
import { DEVICES, deviceOf, type Dataset } from '../query/dataset.ts';
import { graphql } from '../query/stack.ts';
import { explain } from '../query/workloads.ts';
import { fmt } from '../support/format.ts';

export type Shape = 'device-day' | 'all-hour';
export const SHAPES: readonly Shape[] = ['device-day', 'all-hour'];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const SHAPE_INFO: Record<Shape, { label: string; bucket: StatBucket; windowMs: number }> = {
  'device-day': { label: 'one device, one UTC day, bucket HOUR', bucket: 'HOUR', windowMs: DAY_MS },
  'all-hour': { label: 'all devices, one UTC hour, bucket MINUTE', bucket: 'MINUTE', windowMs: HOUR_MS },
};

export interface StatsRequest {
  shape: Shape;
  filter: ReadingFilter;
  bucket: StatBucket;
}

export const STATS_QUERY = `query Stats($filter: ReadingFilter, $bucket: StatBucketSize!) {
  readingStats(filter: $filter, bucket: $bucket) { start count min max avg }
}`;

/** Whole windows of `lengthMs` that start in the data (at least one: a short data set fills part of it). */
const windowsIn = (data: Dataset, lengthMs: number) => Math.max(1, Math.floor((data.endMs - data.startMs) / lengthMs));

/**
 * `count` requests of a shape, seeded: a device and a day, or an hour, drawn among the whole
 * windows of the data (the data starts at midnight UTC, so they are UTC days and hours).
 * `from` and `to` are the window's bounds; the API takes both as inclusive, and so does the raw SQL.
 */
export function statsRequests(shape: Shape, data: Dataset, count: number, seed: number): StatsRequest[] {
  const { bucket, windowMs } = SHAPE_INFO[shape];
  const windows = windowsIn(data, windowMs);
  const rng = createRng(seed);
  return Array.from({ length: count }, () => {
    const who = shape === 'device-day' ? deviceOf(Math.floor(rng() * DEVICES)) : {};
    const from = data.startMs + Math.floor(rng() * windows) * windowMs;
    return { shape, bucket, filter: { ...who, from: new Date(from).toISOString(), to: new Date(from + windowMs).toISOString() } };
  });
}

export const statsBody = (r: StatsRequest) => JSON.stringify({ query: STATS_QUERY, variables: { filter: r.filter, bucket: r.bucket } });

export interface Statement {
  text: string;
  values: unknown[];
}

/**
 * The aggregate straight from the readings, with the API's filter semantics and its UTC
 * buckets. Grouped on the bucket's time and formatted after, per bucket: the best plain SQL
 * for it (formatting each row's bucket as text before grouping costs more than the scan).
 */
export function rawStatsSql(r: StatsRequest): Statement {
  const values: unknown[] = [r.bucket.toLowerCase()];
  const where = ['deleted_at IS NULL'];
  const add = (sql: string, value: unknown) => {
    values.push(value);
    where.push(sql.replace('?', `$${values.length}`));
  };
  if (r.filter.deviceCode !== undefined) add('device_code = ?', r.filter.deviceCode);
  if (r.filter.deviceNumber !== undefined) add('device_number = ?', r.filter.deviceNumber);
  add('"timestamp" >= ?::timestamptz', r.filter.from);
  add('"timestamp" <= ?::timestamptz', r.filter.to);
  return {
    text: `SELECT b.start::text AS start, b.count, b.min, b.max, b.avg FROM (
        SELECT date_trunc($1, "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS start, count(*) AS count, min(value) AS min, max(value) AS max, avg(value) AS avg
        FROM readings WHERE ${where.join(' AND ')} GROUP BY 1
      ) b ORDER BY b.start`,
    values,
  };
}

/** Runs the raw aggregate; `utc` must be a pool whose sessions speak UTC, as the API's do. */
export async function rawStats(utc: pg.Pool, r: StatsRequest): Promise<StatRow[]> {
  const { text, values } = rawStatsSql(r);
  const result = await utc.query<{ start: string; count: string; min: number; max: number; avg: number }>(text, values);
  return result.rows.map((row) => ({ start: row.start.replace(' ', 'T').replace(/\+00$/, 'Z'), count: Number(row.count), min: row.min, max: row.max, avg: row.avg }));
}

/** The API's own core function, straight against Postgres: the API's answer without HTTP and GraphQL. */
export const apiSqlStats = (utc: pg.Pool, r: StatsRequest) => readingStats(utc, r.filter, r.bucket);

/** The SQL `readingStats` sends for a request, captured by a stand-in pool. */
export async function apiStatsSql(r: StatsRequest): Promise<Statement> {
  let captured: Statement | null = null;
  const recorder = {
    query: async (text: string, values: unknown[]) => {
      captured = { text, values };
      return { rows: [] };
    },
  };
  await readingStats(recorder as unknown as pg.Pool, r.filter, r.bucket);
  if (!captured) throw new Error('readingStats sent no SQL');
  return captured;
}

export interface Verification {
  /** Distinct requests compared. */
  requests: number;
  buckets: number;
  readings: number;
  /** Largest |avg(API) − avg(raw)| seen. */
  maxAvgDifference: number;
}

export const AVG_TOLERANCE = 1e-9;

function compare(r: StatsRequest, api: StatRow[], raw: StatRow[]): { readings: number; maxAvgDifference: number } {
  const where = `${r.shape} ${JSON.stringify(r.filter)}`;
  if (api.length !== raw.length) throw new Error(`${where}: the API answered ${api.length} buckets, the raw aggregate ${raw.length}`);
  if (raw.length === 0) throw new Error(`${where}: no readings in the window; the comparison would prove nothing`);
  let readings = 0;
  let maxAvgDifference = 0;
  raw.forEach((expected, i) => {
    const got = api[i]!;
    const same = Date.parse(got.start) === Date.parse(expected.start) && got.count === expected.count && got.min === expected.min && got.max === expected.max;
    const avgDifference = Math.abs(got.avg - expected.avg);
    if (!same || !(avgDifference <= AVG_TOLERANCE)) throw new Error(`${where}: bucket ${i} differs: API ${JSON.stringify(got)}, raw ${JSON.stringify(expected)}`);
    readings += expected.count;
    maxAvgDifference = Math.max(maxAvgDifference, avgDifference);
  });
  return { readings, maxAvgDifference };
}

/**
 * Asks the API (GraphQL over HTTP) every distinct request the timed phases will send and
 * compares its answer with the raw aggregate: start, count, min and max equal, avg within
 * AVG_TOLERANCE. Throws at the first difference.
 */
export async function verifyAnswers(apiUrl: string, authorization: string, utc: pg.Pool, requests: readonly StatsRequest[], progress: (line: string) => void): Promise<Verification> {
  const distinct = [...new Map(requests.map((r) => [JSON.stringify([r.shape, r.filter, r.bucket]), r])).values()];
  const out: Verification = { requests: 0, buckets: 0, readings: 0, maxAvgDifference: 0 };
  for (const r of distinct) {
    const answer = await graphql<{ readingStats: StatRow[] }>(apiUrl, STATS_QUERY, { filter: r.filter, bucket: r.bucket }, authorization);
    const raw = await rawStats(utc, r);
    const { readings, maxAvgDifference } = compare(r, answer.readingStats, raw);
    out.requests += 1;
    out.buckets += raw.length;
    out.readings += readings;
    out.maxAvgDifference = Math.max(out.maxAvgDifference, maxAvgDifference);
  }
  progress(`verified ${fmt(out.requests)} distinct requests: ${fmt(out.buckets)} buckets over ${fmt(out.readings)} readings equal; max |Δavg| ${out.maxAvgDifference.toExponential(1)}`);
  return out;
}

export interface PlanSummary {
  /** Each table scan: its node, actual rows and buffers. */
  scans: string[];
  /** Rows the scans returned, per table. */
  rowsRead: Record<string, number>;
  /** The whole statement's buffers (the top node's). */
  buffers: string;
  planningMs: number;
  executionMs: number;
  text: string;
}

const TABLE_SCAN = /^(Seq Scan|Index Scan|Index Only Scan|Bitmap Heap Scan)\b.* on (\S+)/;
const ACTUAL = /\(actual time=[\d.]+\.\.[\d.]+ rows=(\d+) loops=(\d+)\)/;

/** EXPLAIN (ANALYZE, BUFFERS) of a statement (after one warm-up run), cut to its table scans and totals. */
export async function planOf(utc: pg.Pool, statement: Statement): Promise<PlanSummary> {
  const plan = await explain(utc, statement);
  const lines = plan.text.split('\n');
  const scans: string[] = [];
  const rowsRead: Record<string, number> = {};
  lines.forEach((line, i) => {
    const arrow = line.indexOf('->');
    const body = line.slice(arrow >= 0 ? arrow + 2 : 0).trim();
    const scan = body.match(TABLE_SCAN);
    const actual = body.match(ACTUAL);
    if (!scan || !actual) return;
    const column = arrow >= 0 ? arrow : line.search(/\S/);
    // The node's own lines and its subtree are indented deeper than its arrow; its details come before its children.
    const subtree: string[] = [];
    for (let j = i + 1; j < lines.length && lines[j]!.search(/\S/) > column; j++) subtree.push(lines[j]!.trim());
    const children = subtree.findIndex((l) => l.startsWith('->'));
    const details = (children >= 0 ? subtree.slice(0, children) : subtree).filter((l) => /^(Buffers|Heap Fetches|Heap Blocks):/.test(l));
    const via = subtree.map((l) => l.match(/Bitmap Index Scan on (\S+)/)?.[1]).find(Boolean);
    const rows = Number(actual[1]) * Number(actual[2]);
    rowsRead[scan[2]!] = (rowsRead[scan[2]!] ?? 0) + rows;
    const name = body.replace(/\s*\(cost=[^)]*\)/, '').replace(/\s*\(actual time=[^)]*\)/, '');
    scans.push(`${name}${via ? ` via ${via}` : ''}: ${fmt(rows)} rows${details.length ? ` (${details.join('; ')})` : ''}`);
  });
  const buffers = lines.find((l) => /^\s{0,2}Buffers:/.test(l))?.trim().replace(/^Buffers: /, '') ?? '';
  return { scans, rowsRead, buffers, planningMs: plan.planningMs, executionMs: plan.executionMs, text: plan.text };
}
