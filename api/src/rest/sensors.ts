/**
 * /api/v1/sensors: list (numbered pages with the older API's paginator), update and
 * soft-delete by criteria, and record one reading by hand. The filter, change and reading
 * rules, the events, read-your-writes and the roles are the core's.
 */
import { z } from 'zod';
import type { IngestResult } from '../core/ingest.ts';
import type { ChangeResult } from '../core/readings/change-waiter.ts';
import { parseTime, validateFilter, type FilterInput } from '../core/readings/input.ts';
import { readNumberedPage, type ReadingRow } from '../core/readings/queries.ts';
import type { Paginator } from './envelope.ts';
import { route } from './router.ts';
import { changeResultSchema, criteriaSchema, manualReadingSchema, noQuerySchema, recordedReadingSchema, sensorRowSchema, sensorsQuerySchema, updateSchema } from './schemas.ts';

type Criteria = z.output<typeof criteriaSchema>;

/** REST times are parsed by the core under their REST names, as the GraphQL DateTime scalar does under its own. */
const time = (value: string | null | undefined, field: 'start_time' | 'end_time') => (value == null ? null : parseTime(value, field));

export function filterInput(criteria: Criteria): FilterInput {
  return {
    deviceCode: criteria.device_code,
    deviceNumber: criteria.device_number,
    sensorType: criteria.sensor_type,
    from: time(criteria.start_time, 'start_time'),
    to: time(criteria.end_time, 'end_time'),
  };
}

/** Every REST time in one form, `2026-01-31T11:00:00.000Z`, whether it comes from the read model or an event. */
const utc = (time: string) => new Date(time).toISOString();

/** A reading as the older API showed it; `updated_at` is `created_at` until the first edit, as it was there. */
export function sensorRow(row: ReadingRow) {
  return {
    id: Number(row.id),
    sensor_type: row.sensorType,
    sensor_value: row.value,
    device_code: row.deviceCode,
    device_number: row.deviceNumber,
    timestamp: utc(row.timestamp),
    created_at: utc(row.recordedAt),
    updated_at: utc(row.updatedAt ?? row.recordedAt),
    deleted_at: row.deletedAt === null ? null : utc(row.deletedAt),
  };
}

/**
 * The paginator's numbers. `item_from`/`item_to` are the 1-based positions of the page's
 * first and last rows in the whole result; both are 0 on a page without rows (no match,
 * or past the last page). `next_page` is there while a later page holds rows;
 * `previous_page` on every page after the first, and past the end it is the last page.
 */
export function paginator(total: number, page: number, limit: number, rows: number): Paginator {
  const totalPages = Math.ceil(total / limit);
  const offset = (page - 1) * limit;
  const result: Paginator = {
    total_items: total,
    total_pages: totalPages,
    item_from: rows > 0 ? offset + 1 : 0,
    item_to: rows > 0 ? offset + rows : 0,
    current_page: page,
    limit,
  };
  if (page < totalPages) result.next_page = page + 1;
  if (page > 1) result.previous_page = Math.min(page - 1, Math.max(totalPages, 1));
  return result;
}

const changeData = (result: ChangeResult) => ({ affected: result.affected, sequence: result.sequence, command_id: result.commandId });

const PENDING =
  'accepted but not applied within CHANGE_WAIT_MS (the projector is behind): `data.pending` is true and `data.affected` null; the same request with the same Idempotency-Key answers the result once applied';

const idempotencyKey = (header: (name: string) => string | undefined) => header('idempotency-key') ?? null;

export const sensorRoutes = [
  route({
    method: 'GET',
    path: '/sensors',
    auth: 'readReadings',
    summary: 'List readings, newest first, a numbered page at a time',
    description: 'Soft-deleted readings are left out. `limit` (1–1000) and `page` (from 1) are required.',
    query: sensorsQuerySchema,
    data: z.array(sensorRowSchema),
    paginated: true,
    async handle({ query, services }) {
      const filter = validateFilter(filterInput(query));
      const { rows, total } = await readNumberedPage(services.db, 'active', filter, { page: query.page, limit: query.limit, order: 'NEWEST_FIRST' });
      return { message: 'sensor data retrieved', data: rows.map(sensorRow), paginator: paginator(total, query.page, query.limit, rows.length) };
    },
  }),
  route({
    method: 'PUT',
    path: '/sensors',
    auth: 'editReadings',
    summary: 'Change every reading matching the criteria',
    description: 'Answers once the change is applied, with the number of readings it changed. Send an `Idempotency-Key` header to retry safely.',
    query: noQuerySchema,
    body: updateSchema,
    data: changeResultSchema,
    responses: { 202: PENDING, 503: 'the event stream is unavailable: nothing was changed' },
    async handle({ caller, body, header, services }) {
      const changes = { value: body.changes?.sensor_value, sensorType: body.changes?.sensor_type, timestamp: body.changes?.timestamp };
      const result = await services.changes.apply('update', caller, { filter: filterInput(body.criteria ?? {}), changes, idempotencyKey: idempotencyKey(header) });
      return { message: 'sensor data updated', data: changeData(result) };
    },
  }),
  route({
    method: 'DELETE',
    path: '/sensors',
    auth: 'deleteReadings',
    summary: 'Soft-delete every reading matching the criteria (admins)',
    description: 'Answers once the deletion is applied, with the number of readings it deleted. They stay in the deleted view, and admins can restore them through GraphQL.',
    query: noQuerySchema,
    body: criteriaSchema,
    data: changeResultSchema,
    responses: { 202: PENDING, 503: 'the event stream is unavailable: nothing was changed' },
    async handle({ caller, body, header, services }) {
      const result = await services.changes.apply('deletion', caller, { filter: filterInput(body), idempotencyKey: idempotencyKey(header) });
      return { message: 'sensor data deleted', data: changeData(result) };
    },
  }),
  route({
    method: 'POST',
    path: '/sensors/generate/manual',
    auth: 'recordReadings',
    summary: 'Record one reading (admins and device keys)',
    description:
      'The reading is appended to the event stream like any device reading: it shows in GraphQL queries and live subscriptions once projected (usually within milliseconds). Send an `Idempotency-Key` header to retry safely (within 2 minutes).',
    query: noQuerySchema,
    body: manualReadingSchema,
    data: recordedReadingSchema,
    responses: { 503: 'the event stream did not acknowledge the reading: retry with the same Idempotency-Key' },
    async handle({ caller, body, header, services }) {
      const result: IngestResult = await services.ingest.recordOne(
        caller,
        { sensorType: body.sensor_type, value: body.sensor_value, deviceCode: body.device_code, deviceNumber: body.device_number, timestamp: body.timestamp },
        idempotencyKey(header),
      );
      const data = {
        id: result.firstSequence,
        sensor_type: body.sensor_type,
        sensor_value: body.sensor_value,
        device_code: body.device_code,
        device_number: body.device_number,
        timestamp: parseTime(body.timestamp, 'timestamp'),
      };
      return { message: 'sensor data recorded', data };
    },
  }),
];
