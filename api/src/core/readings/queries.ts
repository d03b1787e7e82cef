/**
 * Reading queries over the read model. Cursor pages are keyset pages on
 * (timestamp, id), so the thousandth page costs what the first does; page/limit
 * is offered too, for clients that want numbered pages.
 */
import type pg from 'pg';
import type { ReadingFilter } from '../../../../schema/src/index.ts';
import { filterConditions } from '../../../../schema/src/filter-sql.ts';
import type { Principal } from '../auth/roles.ts';
import { badInput } from '../errors.ts';
import { allows } from '../permissions.ts';

export interface ReadingRow {
  id: string;
  sensorType: string;
  value: number;
  deviceCode: string;
  deviceNumber: number;
  timestamp: string;
  seq: number | null;
  recordedAt: string;
  updatedAt: string | null;
  updatedBy: string | null;
  deletedAt: string | null;
  deletedBy: string | null;
  restoredAt: string | null;
  restoredBy: string | null;
  version: number;
}

export type ReadingOrder = 'NEWEST_FIRST' | 'OLDEST_FIRST';
export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 100;

export interface PageRequest {
  first?: number | null;
  after?: string | null;
  /** Backward pages: the `last` readings before the `before` cursor, still in the requested order. */
  last?: number | null;
  before?: string | null;
  page?: number | null;
  limit?: number | null;
  order?: ReadingOrder | null;
}

export interface ReadingPage {
  rows: ReadingRow[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export type ReadingSet = 'active' | 'deleted';

/** The pool, or one client of it holding a transaction (see readNumberedPage). */
export type Queryable = pg.Pool | pg.PoolClient;

// Times travel as Postgres text in UTC (microseconds kept) and are turned into ISO strings here.
const SELECT = `SELECT id::text, sensor_type AS "sensorType", value, device_code AS "deviceCode", device_number AS "deviceNumber",
  "timestamp"::text AS "timestamp", seq, recorded_at::text AS "recordedAt", updated_at::text AS "updatedAt", updated_by AS "updatedBy",
  deleted_at::text AS "deletedAt", deleted_by AS "deletedBy", restored_at::text AS "restoredAt", restored_by AS "restoredBy", version
  FROM readings`;

/** Postgres `2026-01-01 10:00:00.5+00` → `2026-01-01T10:00:00.5Z` (the session runs in UTC). */
export function pgTimeToIso(value: string): string;
export function pgTimeToIso(value: string | null): string | null;
export function pgTimeToIso(value: string | null): string | null {
  return value === null ? null : value.replace(' ', 'T').replace(/\+00$/, 'Z');
}

function toRow(raw: ReadingRow): ReadingRow {
  return {
    ...raw,
    timestamp: pgTimeToIso(raw.timestamp),
    recordedAt: pgTimeToIso(raw.recordedAt),
    updatedAt: pgTimeToIso(raw.updatedAt),
    deletedAt: pgTimeToIso(raw.deletedAt),
    restoredAt: pgTimeToIso(raw.restoredAt),
  };
}

export function whereClause(set: ReadingSet, filter: ReadingFilter, params: unknown[]): string {
  const visibility = set === 'active' ? 'deleted_at IS NULL' : 'deleted_at IS NOT NULL';
  return [visibility, ...filterConditions(filter, params)].join(' AND ');
}

export function encodeCursor(row: ReadingRow): string {
  return Buffer.from(JSON.stringify([row.timestamp, row.id])).toString('base64url');
}

function decodeCursor(cursor: string, field: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && /^\d+$/.test(String(value[1])) && !Number.isNaN(Date.parse(value[0]))) {
      return [value[0], String(value[1])];
    }
  } catch {
    // fall through to the error below
  }
  throw badInput(`${field} is not a cursor this API issued`, field);
}

function pageSize(value: number | null | undefined, field: string): number {
  if (value == null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) throw badInput(`${field} must be an integer from 1 to ${MAX_PAGE_SIZE}`, field);
  return value;
}

function pagingMode(request: PageRequest): 'numbered' | 'forward' | 'backward' {
  const numbered = request.page != null || request.limit != null;
  const forward = request.first != null || request.after != null;
  const backward = request.last != null || request.before != null;
  if ([numbered, forward, backward].filter(Boolean).length > 1) {
    throw badInput('use one way of paging: first/after, last/before, or page/limit', numbered ? 'page' : 'last');
  }
  return numbered ? 'numbered' : backward ? 'backward' : 'forward';
}

export async function listReadings(db: Queryable, set: ReadingSet, filter: ReadingFilter, request: PageRequest): Promise<ReadingPage> {
  const mode = pagingMode(request);
  const params: unknown[] = [];
  let where = whereClause(set, filter, params);
  const newestFirst = (request.order ?? 'NEWEST_FIRST') === 'NEWEST_FIRST';
  // A backward page is read in the opposite order from its cursor, then turned round.
  const descending = mode === 'backward' ? !newestFirst : newestFirst;
  const direction = descending ? 'DESC' : 'ASC';
  const sizeField = { numbered: 'limit', forward: 'first', backward: 'last' } as const;
  const size = pageSize({ numbered: request.limit, forward: request.first, backward: request.last }[mode], sizeField[mode]);
  let offset = 0;
  if (mode === 'numbered') {
    const page = request.page ?? 1;
    if (!Number.isInteger(page) || page < 1) throw badInput('page must be an integer of at least 1', 'page');
    offset = (page - 1) * size;
  }
  const cursor = mode === 'forward' ? request.after : mode === 'backward' ? request.before : null;
  if (cursor != null) {
    const [timestamp, id] = decodeCursor(cursor, mode === 'forward' ? 'after' : 'before');
    params.push(timestamp, id);
    where += ` AND ("timestamp", id) ${descending ? '<' : '>'} ($${params.length - 1}::timestamptz, $${params.length}::bigint)`;
  }
  params.push(size + 1, offset);
  // Qualified names: bare "timestamp" and id would sort by the select list's text columns (id '9' after '11'),
  // out of step with the keyset condition and unable to use the (timestamp, id) index.
  const result = await db.query<ReadingRow>(
    `${SELECT} WHERE ${where} ORDER BY readings."timestamp" ${direction}, readings.id ${direction} LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  const more = result.rows.length > size;
  const rows = result.rows.slice(0, size).map(toRow);
  if (mode === 'backward') rows.reverse();
  return {
    rows,
    cursors: rows.map(encodeCursor),
    hasNextPage: mode === 'backward' ? request.before != null : more,
    hasPreviousPage: mode === 'backward' ? more : mode === 'numbered' ? offset > 0 : request.after != null,
  };
}

export async function countReadings(db: Queryable, set: ReadingSet, filter: ReadingFilter): Promise<number> {
  const params: unknown[] = [];
  const result = await db.query<{ n: string }>(`SELECT count(*) AS n FROM readings WHERE ${whereClause(set, filter, params)}`, params);
  return Number(result.rows[0]?.n ?? 0);
}

export interface NumberedPage {
  rows: ReadingRow[];
  /** Readings matching the filter in all pages. */
  total: number;
}

/**
 * One numbered page and the total count it belongs to, read from one snapshot, so the
 * numbers agree even while readings arrive (the REST paginator is built from them).
 */
export async function readNumberedPage(db: pg.Pool, set: ReadingSet, filter: ReadingFilter, request: { page: number; limit: number; order?: ReadingOrder | null }): Promise<NumberedPage> {
  const client = await db.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const page = await listReadings(client, set, filter, request);
    const total = await countReadings(client, set, filter);
    await client.query('COMMIT');
    return { rows: page.rows, total };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** One reading by id; a deleted one only for callers who may see deleted readings. */
export async function findReading(db: pg.Pool, id: string, caller: Principal | null): Promise<ReadingRow | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const includeDeleted = caller !== null && allows(caller.role, 'readDeletedReadings');
  const result = await db.query<ReadingRow>(`${SELECT} WHERE id = $1${includeDeleted ? '' : ' AND deleted_at IS NULL'}`, [id]);
  const row = result.rows[0];
  return row ? toRow(row) : null;
}
