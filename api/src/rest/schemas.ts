/**
 * The shapes of the REST requests (SPEC §8), as zod schemas: JSON types, presence and
 * unknown fields only. The rules of a reading or a filter (ranges, patterns, the time
 * order) are the core's, applied after these; the descriptions here only tell them, for
 * the OpenAPI document built from these same schemas.
 */
import { z } from 'zod';
import { DEVICE_NUMBER_MAX, SENSOR_RANGES, SENSOR_TYPES } from '../../../schema/src/sensors.ts';
import { MIN_INTERVAL_SECONDS } from '../../../schema/src/simulator-control.ts';
import { USER_ROLES } from '../core/auth/roles.ts';
import { MAX_PAGE_SIZE } from '../core/readings/queries.ts';

const ranges = SENSOR_TYPES.map((t) => `${t} ${SENSOR_RANGES[t].min}…${SENSOR_RANGES[t].max} ${SENSOR_RANGES[t].unit}`).join(', ');
const TIME = 'RFC 3339 with an offset, e.g. 2026-01-31T12:00:00Z';
const doc = {
  device_code: '1–20 capital letters A–Z',
  device_number: `an integer from 1 to ${DEVICE_NUMBER_MAX}`,
  sensor_type: `one of ${SENSOR_TYPES.join(', ')}`,
  sensor_value: `inside the valid range of its sensor type (${ranges})`,
  timestamp: `when it was measured: ${TIME}; at most MAX_FUTURE_SECONDS (default 300) ahead of now`,
};

/** A whole number written in a query string; its range is the core's to check. */
export const INTEGER_PARAM = /^[+-]?\d+$/;
const integerParam = (name: string) => z.string().regex(INTEGER_PARAM, `${name} must be an integer`).transform(Number);

const filterFields = {
  device_code: z.string().nullish().meta({ description: doc.device_code, examples: ['A'] }),
  device_number: z.number().nullish().meta({ description: doc.device_number, examples: [7] }),
  sensor_type: z.string().nullish().meta({ description: `${doc.sensor_type} (an addition to the older API)` }),
  start_time: z.string().nullish().meta({ description: `readings measured at or after this time; ${TIME}` }),
  end_time: z.string().nullish().meta({ description: `readings measured at or before this time; ${TIME}` }),
};

export const criteriaSchema = z.strictObject(filterFields).meta({ description: 'Which readings: any of these fields; both time ends inclusive.' });

export const sensorsQuerySchema = z.strictObject({
  device_code: z.string().optional().meta({ description: doc.device_code }),
  device_number: integerParam('device_number').optional().meta({ description: doc.device_number }),
  sensor_type: z.string().optional().meta({ description: `${doc.sensor_type} (an addition to the older API)` }),
  start_time: z.string().optional().meta({ description: `readings measured at or after this time; ${TIME}` }),
  end_time: z.string().optional().meta({ description: `readings measured at or before this time; ${TIME}` }),
  limit: integerParam('limit').meta({ description: `page size, 1 to ${MAX_PAGE_SIZE}` }),
  page: integerParam('page').meta({ description: 'page number, from 1' }),
});

export const updateSchema = z
  .strictObject({
    criteria: criteriaSchema.optional(),
    changes: z
      .strictObject({
        sensor_value: z.number().nullish().meta({ description: `${doc.sensor_value}; 0 is a value` }),
        sensor_type: z.string().nullish().meta({ description: doc.sensor_type }),
        timestamp: z.string().nullish().meta({ description: doc.timestamp }),
      })
      .optional()
      .meta({ description: 'At least one of these.' }),
  });

export const manualReadingSchema = z
  .strictObject({
    sensor_value: z.number().meta({ description: doc.sensor_value, examples: [21.5] }),
    sensor_type: z.string().meta({ description: doc.sensor_type, examples: ['temperature'] }),
    device_code: z.string().meta({ description: doc.device_code, examples: ['A'] }),
    device_number: z.number().meta({ description: doc.device_number, examples: [7] }),
    timestamp: z.string().meta({ description: doc.timestamp, examples: ['2026-01-31T12:00:00Z'] }),
  });

export const frequencySchema = z
  .strictObject({ frequency: z.number().meta({ description: `seconds between two readings of each device, a whole number of at least ${MIN_INTERVAL_SECONDS}`, examples: [10] }) });

export const simulatorQuerySchema = z.strictObject({
  simulator: z.string().optional().meta({ description: 'the id of one simulator (e.g. sim-humidity-79eb9328); without it, every running simulator' }),
});

export const registerSchema = z
  .strictObject({
    username: z.string().meta({ description: '3–50 of A–Z a–z 0–9 _ . -, unique (case-insensitive)' }),
    password: z.string().meta({ description: '8–128 characters' }),
    role: z.enum(USER_ROLES).nullish().meta({ description: 'default user; admin only for the first account ever or with an admin token' }),
  });

export const loginSchema = z.strictObject({ username: z.string(), password: z.string() });

/** Routes without a query string. */
export const noQuerySchema = z.strictObject({});

// Response data, for the OpenAPI document (and the tests, which check answers against them).

const isoTime = (description: string) => z.string().meta({ description: `${description} (RFC 3339, UTC)` });

export const sensorRowSchema = z.strictObject({
  id: z.int().meta({ description: 'the stream sequence of the event that recorded it; stable across rebuilds' }),
  sensor_type: z.string(),
  sensor_value: z.number(),
  device_code: z.string(),
  device_number: z.int(),
  timestamp: isoTime('when it was measured'),
  created_at: isoTime('when it was recorded'),
  updated_at: isoTime('when it was last edited; created_at until then'),
  deleted_at: isoTime('always null here: deleted readings are not listed').nullable(),
});

export const paginatorSchema = z.strictObject({
  total_items: z.int().meta({ description: 'readings matching the query, in all pages' }),
  total_pages: z.int().meta({ description: 'ceil(total_items / limit); 0 when nothing matches' }),
  item_from: z.int().meta({ description: "1-based position of the page's first reading; 0 on a page without readings" }),
  item_to: z.int().meta({ description: "1-based position of the page's last reading; 0 on a page without readings" }),
  current_page: z.int(),
  limit: z.int(),
  next_page: z.int().optional().meta({ description: 'present when a later page holds readings' }),
  previous_page: z.int().optional().meta({ description: 'present after page 1; past the end, the last page (or 1)' }),
});

export const changeResultSchema = z.strictObject({
  affected: z.int().meta({ description: 'how many readings the change touched' }),
  sequence: z.int().meta({ description: 'stream sequence of the change event' }),
  command_id: z.string(),
});

export const pendingChangeSchema = z.strictObject({
  affected: z.null(),
  pending: z.literal(true),
  command_id: z.string(),
  sequence: z.int().meta({ description: 'stream sequence of the change event' }),
});

export const recordedReadingSchema = z.strictObject({
  id: z.int().meta({ description: 'the stream sequence of its event, and its id once projected' }),
  sensor_type: z.string(),
  sensor_value: z.number(),
  device_code: z.string(),
  device_number: z.int(),
  timestamp: isoTime('when it was measured'),
});

const simulatorSchema = z.strictObject({
  id: z.string(),
  sensor_type: z.string(),
  running: z.boolean(),
  frequency: z.number().meta({ description: 'seconds between two readings of one device' }),
  devices: z.int(),
  published: z.int().meta({ description: 'readings acknowledged by the stream since the instance started' }),
});

export const simulatorsResultSchema = z.strictObject({
  simulators: z.array(simulatorSchema).meta({ description: 'the instances that did it' }),
  failed: z.array(z.strictObject({ id: z.string(), message: z.string() })).optional().meta({ description: 'on a partial failure: the instances that did not, and why' }),
});

export const registeredSchema = z.strictObject({ id: z.string(), username: z.string(), role: z.enum(USER_ROLES), created_at: isoTime('when the account was created') });

export const loginResultSchema = z.strictObject({
  access_token: z.string().meta({ description: 'send as Authorization: Bearer <access_token>' }),
  expires_at: z.int().meta({ description: 'when it expires, in unix seconds' }),
});
