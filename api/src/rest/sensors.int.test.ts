/**
 * /api/v1/sensors against a real API and projector: the paginator's numbers on every kind
 * of page, filters, edits and soft deletes seen at once by both transports, the manual
 * reading in GraphQL and a live subscription, and bodies that are malformed, mistyped,
 * unknown or too large (400/413, never 500).
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { register, type Account } from '../../../test/support/accounts.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { iso, publishEvents, reading, T0 } from '../../../test/support/events.ts';
import { collectWs, wsClient } from '../../../test/support/live.ts';
import { waitFor } from '../../../test/support/processes.ts';
import { restClient, type Rest } from '../../../test/support/rest.ts';
import { MAX_BODY_BYTES } from './input.ts';
import { changeResultSchema, paginatorSchema, recordedReadingSchema, sensorRowSchema } from './schemas.ts';

const COUNT = 23;

let env: TestEnv;
let api: ApiStack;
let rest: Rest;
let admin: Account;
let user: Account;
/** The PG readings, newest first (timestamp, then id, descending), as [id, timestamp]. */
let newestFirst: { id: number; timestamp: string }[];

type Row = z.output<typeof sensorRowSchema>;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env);
  rest = restClient(api.url);
  admin = await register(api.gql, 'root');
  user = await register(api.gql, 'alice');
  // Pairs share a timestamp, so ties are broken by id; another device's readings are interleaved.
  const at = (i: number) => T0 + Math.floor(i / 2) * 60_000;
  const events = Array.from({ length: COUNT }, (_, i) => [
    reading({ deviceCode: 'PG', deviceNumber: (i % 3) + 1, value: i, at: at(i) }),
    reading({ deviceCode: 'OTHER', value: i, at: at(i) }),
  ]).flat();
  const seqs = await publishEvents(jetstream(env.nc), env.names, events);
  await api.projector.waitFor(seqs.at(-1)!, 10_000);
  newestFirst = Array.from({ length: COUNT }, (_, i) => ({ id: seqs[i * 2]!, timestamp: iso(at(i)) })).sort((a, b) => b.timestamp.localeCompare(a.timestamp) || b.id - a.id);
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

const list = (query: Record<string, string | number>, token = user.accessToken) => rest<Row[]>('GET', '/sensors', { query, token });
const streamMessages = async () => (await (await jetstreamManager(env.nc)).streams.info(env.names.stream)).state.messages;

async function publishAndProject(events: Parameters<typeof publishEvents>[2]): Promise<number[]> {
  const seqs = await publishEvents(jetstream(env.nc), env.names, events);
  await api.projector.waitFor(seqs.at(-1)!, 10_000);
  return seqs;
}

describe('GET /api/v1/sensors', () => {
  it('answers rows in the older shape with exact paginator numbers on the first, a middle and the last page', async () => {
    const first = await list({ device_code: 'PG', limit: 10, page: 1 });
    expect(first.status).toBe(200);
    expect(first.body.status).toBe('success');
    expect(first.body.message).toBe('sensor data retrieved');
    expect(first.body.paginator).toEqual({ total_items: 23, total_pages: 3, item_from: 1, item_to: 10, current_page: 1, limit: 10, next_page: 2 });
    const rows = z.array(sensorRowSchema).parse(first.body.data);
    expect(rows.map((r) => r.id)).toEqual(newestFirst.slice(0, 10).map((r) => r.id));
    expect(rows[0]).toMatchObject({ sensor_type: 'temperature', sensor_value: 22, device_code: 'PG', device_number: 2, timestamp: newestFirst[0]!.timestamp, deleted_at: null });
    expect(rows[0]!.updated_at).toBe(rows[0]!.created_at);

    const middle = await list({ device_code: 'PG', limit: 10, page: 2 });
    expect(middle.body.paginator).toEqual({ total_items: 23, total_pages: 3, item_from: 11, item_to: 20, current_page: 2, limit: 10, next_page: 3, previous_page: 1 });
    expect(middle.body.data!.map((r) => r.id)).toEqual(newestFirst.slice(10, 20).map((r) => r.id));

    const last = await list({ device_code: 'PG', limit: 10, page: 3 });
    expect(last.body.paginator).toEqual({ total_items: 23, total_pages: 3, item_from: 21, item_to: 23, current_page: 3, limit: 10, previous_page: 2 });
    expect(last.body.data!.map((r) => r.id)).toEqual(newestFirst.slice(20).map((r) => r.id));
  });

  it('answers an empty page past the end with item_from and item_to 0 and previous_page the last page', async () => {
    const past = await list({ device_code: 'PG', limit: 10, page: 7 });
    expect(past.status).toBe(200);
    expect(past.body.data).toEqual([]);
    expect(past.body.paginator).toEqual({ total_items: 23, total_pages: 3, item_from: 0, item_to: 0, current_page: 7, limit: 10, previous_page: 3 });
    paginatorSchema.parse(past.body.paginator);
  });

  it('answers no match with zero totals and neither next nor previous page', async () => {
    const none = await list({ device_code: 'NOBODY', limit: 5, page: 1 });
    expect(none.body).toEqual({ status: 'success', message: 'sensor data retrieved', data: [], paginator: { total_items: 0, total_pages: 0, item_from: 0, item_to: 0, current_page: 1, limit: 5 } });
  });

  it('pages exactly with a limit that divides the total and with the largest limit', async () => {
    const whole = await list({ device_code: 'PG', device_number: 1, limit: 8, page: 1 });
    expect(whole.body.paginator).toEqual({ total_items: 8, total_pages: 1, item_from: 1, item_to: 8, current_page: 1, limit: 8 });
    const big = await list({ device_code: 'PG', limit: 1000, page: 1 });
    expect(big.body.paginator).toMatchObject({ total_items: 23, total_pages: 1, item_to: 23 });
  });

  it('filters by device number and an inclusive time range, and takes blank parameters as absent', async () => {
    const from = iso(T0 + 2 * 60_000);
    const to = iso(T0 + 5 * 60_000);
    const response = await list({ device_code: 'PG', device_number: 2, start_time: from, end_time: to, sensor_type: '', limit: 100, page: 1 });
    expect(response.status).toBe(200);
    const rows = response.body.data!;
    // Readings i = 4…11 lie in the range; device number (i % 3) + 1 = 2 for i = 4, 7, 10.
    expect(rows.map((r) => r.sensor_value)).toEqual([10, 7, 4]);
    expect(rows.every((r) => r.timestamp >= from && r.timestamp <= to)).toBe(true);
    expect(response.body.paginator).toMatchObject({ total_items: 3 });
  });

  it.each([
    ['no limit', { page: 1 }, 'limit is required'],
    ['no page', { limit: 10 }, 'page is required'],
    ['neither', {}, 'limit is required; page is required'],
    ['limit 0', { limit: 0, page: 1 }, 'limit must be an integer from 1 to 1000'],
    ['limit 1001', { limit: 1001, page: 1 }, 'limit must be an integer from 1 to 1000'],
    ['page 0', { limit: 10, page: 0 }, 'page must be an integer of at least 1'],
    ['page -1', { limit: 10, page: -1 }, 'page must be an integer of at least 1'],
    ['a limit that is not a number', { limit: 'ten', page: 1 }, 'limit must be an integer'],
    ['a fractional page', { limit: 10, page: 1.5 }, 'page must be an integer'],
    ['a device number that is not a number', { device_number: 'seven', limit: 10, page: 1 }, 'device_number must be an integer'],
    ['a start time without an offset', { start_time: '2026-01-01T00:00:00', limit: 10, page: 1 }, 'start_time must be an RFC 3339 time with an offset, e.g. 2026-01-31T12:00:00Z'],
    ['an end time that is not a time', { end_time: 'yesterday', limit: 10, page: 1 }, 'end_time must be an RFC 3339 time with an offset, e.g. 2026-01-31T12:00:00Z'],
    ['an unknown parameter', { limit: 10, page: 1, order: 'asc' }, 'unknown query parameter order'],
  ])('refuses %s with 400 naming the field', async (_title, query, message) => {
    expect(await list(query as Record<string, string | number>)).toMatchObject({ status: 400, body: { status: 'error', message } });
  });

  it('refuses a parameter given twice', async () => {
    const response = await rest('GET', '/sensors?limit=10&limit=20&page=1', { token: user.accessToken });
    expect(response).toMatchObject({ status: 400, body: { message: 'query parameter limit is given more than once' } });
  });
});

describe('PUT and DELETE /api/v1/sensors, seen by both transports at once', () => {
  const GQL_READINGS = 'query ($filter: ReadingFilter) { readings(filter: $filter, first: 100) { totalCount nodes { id value version updatedBy } } }';
  type GqlReadings = { readings: { totalCount: number; nodes: { id: string; value: number; version: number; updatedBy: string | null }[] } };

  beforeAll(async () => {
    await publishAndProject([1, 2, 3].flatMap((n) => [reading({ deviceCode: 'RW', deviceNumber: n, value: 10, at: T0 }), reading({ deviceCode: 'RW', deviceNumber: n, value: 11, at: T0 + 1000 })]));
  });

  it('applies a REST update before answering, so GraphQL reads it straight after', async () => {
    const response = await rest('PUT', '/sensors', { token: user.accessToken, body: { criteria: { device_code: 'RW', device_number: 1 }, changes: { sensor_value: 55.5 } } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'success', message: 'sensor data updated', data: { affected: 2 } });
    changeResultSchema.parse(response.body.data);
    const seen = await api.gql<GqlReadings>(GQL_READINGS, { filter: { deviceCode: 'RW', deviceNumber: 1 } }, user.accessToken);
    expect(seen.data?.readings.nodes.map((n) => [n.value, n.version, n.updatedBy])).toEqual([
      [55.5, 1, 'alice'],
      [55.5, 1, 'alice'],
    ]);
  });

  it('shows a GraphQL update in REST straight after, with updated_at set', async () => {
    const update = await api.gql('mutation { updateReadings(filter: { deviceCode: "RW", deviceNumber: 2 }, changes: { value: 0 }) { affected } }', {}, admin.accessToken);
    expect(update.data).toEqual({ updateReadings: { affected: 2 } });
    const rows = (await list({ device_code: 'RW', device_number: 2, limit: 10, page: 1 })).body.data!;
    expect(rows.map((r) => r.sensor_value)).toEqual([0, 0]);
    expect(rows.every((r) => r.updated_at > r.created_at)).toBe(true);
  });

  it('applies an update once when retried with the same Idempotency-Key', async () => {
    const send = () => rest<{ affected: number; command_id: string }>('PUT', '/sensors', {
      token: user.accessToken,
      headers: { 'idempotency-key': 'rw-3-once' },
      body: { criteria: { device_code: 'RW', device_number: 3 }, changes: { sensor_value: 30 } },
    });
    const first = await send();
    const messages = await streamMessages();
    const again = await send();
    expect(again.body.data).toEqual(first.body.data);
    expect(await streamMessages()).toBe(messages);
    const nodes = (await api.gql<GqlReadings>(GQL_READINGS, { filter: { deviceCode: 'RW', deviceNumber: 3 } }, user.accessToken)).data!.readings.nodes;
    expect(nodes.map((n) => n.version)).toEqual([1, 1]);
  });

  it('refuses a deletion by a user with 403 and changes nothing', async () => {
    const before = await streamMessages();
    const response = await rest('DELETE', '/sensors', { token: user.accessToken, body: { device_code: 'RW' } });
    expect(response).toMatchObject({ status: 403, body: { status: 'error', message: 'the user role may not delete readings' } });
    expect(await streamMessages()).toBe(before);
  });

  it('soft-deletes for an admin before answering: gone from REST and GraphQL lists, kept in the deleted view', async () => {
    const response = await rest('DELETE', '/sensors', { token: admin.accessToken, body: { device_code: 'RW', device_number: 3, end_time: iso(T0) } });
    expect(response).toMatchObject({ status: 200, body: { status: 'success', message: 'sensor data deleted', data: { affected: 1 } } });
    const rows = (await list({ device_code: 'RW', device_number: 3, limit: 10, page: 1 })).body;
    expect(rows.data!.map((r) => r.timestamp)).toEqual([iso(T0 + 1000)]);
    expect(rows.paginator).toMatchObject({ total_items: 1 });
    expect((await api.gql<GqlReadings>(GQL_READINGS, { filter: { deviceCode: 'RW', deviceNumber: 3 } }, user.accessToken)).data?.readings.totalCount).toBe(1);
    const deleted = await api.gql<{ deletedReadings: { nodes: { deletedBy: string; timestamp: string }[] } }>(
      '{ deletedReadings(filter: { deviceCode: "RW" }) { nodes { deletedBy timestamp } } }',
      {},
      admin.accessToken,
    );
    expect(deleted.data?.deletedReadings.nodes.map((n) => [n.deletedBy, Date.parse(n.timestamp)])).toEqual([['root', T0]]);
  });

  it('shows a GraphQL deletion in REST straight after', async () => {
    await api.gql('mutation { deleteReadings(filter: { deviceCode: "RW", deviceNumber: 2 }) { affected } }', {}, admin.accessToken);
    expect((await list({ device_code: 'RW', device_number: 2, limit: 10, page: 1 })).body.paginator).toMatchObject({ total_items: 0 });
  });
});

describe('POST /api/v1/sensors/generate/manual', () => {
  const READING = { sensor_value: 41.5, sensor_type: 'humidity', device_code: 'MAN', device_number: 7, timestamp: '2026-01-31T12:00:00+01:00' };

  it('records one reading that a live subscription receives and GraphQL then lists', async () => {
    const head = (await (await jetstreamManager(env.nc)).streams.info(env.names.stream)).state.last_seq;
    const client = wsClient(api.url, user.accessToken);
    const live = collectWs<{ readingRecorded: { sequence: string; value: number; deviceCode: string; deviceNumber: number; sensorType: string; timestamp: string } }>(
      client,
      'subscription ($after: String) { readingRecorded(filter: { deviceCode: "MAN" }, afterSequence: $after) { sequence value deviceCode deviceNumber sensorType timestamp } }',
      { after: String(head) },
    );
    try {
      const response = await rest('POST', '/sensors/generate/manual', { token: admin.accessToken, body: READING });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ status: 'success', message: 'sensor data recorded' });
      const data = recordedReadingSchema.parse(response.body.data);
      expect(data).toEqual({ ...READING, id: head + 1, timestamp: '2026-01-31T11:00:00.000Z' });

      await waitFor(() => live.items.length > 0, 'the reading on the live feed', 5000);
      expect(live.items.map((i) => i.readingRecorded)).toEqual([
        { sequence: String(data.id), value: 41.5, deviceCode: 'MAN', deviceNumber: 7, sensorType: 'humidity', timestamp: '2026-01-31T11:00:00.000Z' },
      ]);
      expect(live.errors).toEqual([]);

      const listed = await waitFor(async () => {
        const response = await api.gql<{ reading: { value: number; deviceCode: string } | null }>(`{ reading(id: "${data.id}") { value deviceCode } }`, {}, user.accessToken);
        return response.data?.reading ?? undefined;
      }, 'the reading in GraphQL');
      expect(listed).toEqual({ value: 41.5, deviceCode: 'MAN' });
      const rows = (await list({ device_code: 'MAN', limit: 10, page: 1 })).body.data!;
      expect(rows).toMatchObject([{ id: data.id, sensor_value: 41.5, sensor_type: 'humidity', device_number: 7 }]);
    } finally {
      live.stop();
      await client.dispose();
    }
  });

  it('refuses a user with 403: recording is for admins and device keys', async () => {
    expect(await rest('POST', '/sensors/generate/manual', { token: user.accessToken, body: READING })).toMatchObject({
      status: 403,
      body: { status: 'error', message: 'the user role may not record readings' },
    });
  });

  it.each([
    ['a missing field', { ...READING, timestamp: undefined }, 'timestamp is required'],
    ['a device number of 2^31', { ...READING, device_number: 2147483648 }, 'device_number must be an integer from 1 to 2147483647'],
    ['a fractional device number', { ...READING, device_number: 7.5 }, 'device_number must be an integer from 1 to 2147483647'],
    ['a device number sent as a string', { ...READING, device_number: '7' }, 'device_number must be a number, not a string'],
    ['a value sent as a string', { ...READING, sensor_value: '41.5' }, 'sensor_value must be a number, not a string'],
    ['a sequence number, which the older API did not have', { ...READING, seq: 1 }, 'unknown field seq'],
  ])('refuses %s with 400', async (_title, body, message) => {
    expect(await rest('POST', '/sensors/generate/manual', { token: admin.accessToken, body })).toMatchObject({ status: 400, body: { status: 'error', message } });
  });
});

describe('bodies that are not what they should be', () => {
  const put = (raw: string | ReadableStream<Uint8Array>, headers?: Record<string, string>) => rest('PUT', '/sensors', { token: user.accessToken, raw, headers });

  it.each([
    ['malformed JSON', '{"criteria": {"device_code": "A"', /^request body is not valid JSON: /],
    ['a JSON array', '[{"criteria": {}}]', /^request body must be a JSON object, not an array$/],
    ['a JSON string', '"criteria"', /^request body must be a JSON object, not a string$/],
    ['JSON null', 'null', /^request body must be a JSON object, not a null$/],
    ['a device number as a string', JSON.stringify({ criteria: { device_number: '7' }, changes: { sensor_value: 1 } }), /^criteria\.device_number must be a number, not a string$/],
    ['criteria as a list', JSON.stringify({ criteria: [], changes: { sensor_value: 1 } }), /^criteria must be an object, not an array$/],
    ['an unknown criteria field', JSON.stringify({ criteria: { device_code: 'A', colour: 'red' }, changes: { sensor_value: 1 } }), /^unknown field criteria\.colour$/],
    ['two unknown top-level fields', JSON.stringify({ criteria: { device_code: 'A' }, changes: { sensor_value: 1 }, dry_run: true, force: 1 }), /^unknown fields dry_run, force$/],
    ['a changed value written as a huge number', '{"criteria": {"device_code": "A"}, "changes": {"sensor_value": 1e400}}', /^changes\.sensor_value must be a finite number$/],
  ])('answers 400 for %s, naming the problem', async (_title, raw, message) => {
    const response = await put(raw);
    expect(response.status).toBe(400);
    expect(response.body.status).toBe('error');
    expect(response.body.message).toMatch(message);
  });

  it('answers 400 for an unknown field in the deletion criteria', async () => {
    expect(await rest('DELETE', '/sensors', { token: admin.accessToken, body: { device_code: 'A', sensor: 'x' } })).toMatchObject({ status: 400, body: { message: 'unknown field sensor' } });
  });

  it('answers 413 for a body over 1 MiB, declared or streamed in chunks', async () => {
    const huge = JSON.stringify({ criteria: { device_code: 'A' }, changes: { sensor_value: 1 }, padding: 'x'.repeat(MAX_BODY_BYTES) });
    const declared = await put(huge);
    expect(declared).toMatchObject({ status: 413, body: { status: 'error', message: 'request body too large: the limit is 1048576 bytes (1 MiB)' } });

    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 2 * MAX_BODY_BYTES) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    });
    const streamed = await put(stream);
    expect(streamed.status).toBe(413);
    expect(streamed.body.message).toBe('request body too large: the limit is 1048576 bytes (1 MiB)');
    // The API is none the worse for it.
    expect((await list({ limit: 1, page: 1 })).status).toBe(200);
  });

  it('accepts a body just under the limit (and then judges its content)', async () => {
    const body = JSON.stringify({ criteria: { device_code: 'A'.repeat(MAX_BODY_BYTES - 100) }, changes: { sensor_value: 1 } });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(await put(body)).toMatchObject({ status: 400, body: { message: 'device_code must be 1–20 capital letters A–Z' } });
  });
});

describe('routes', () => {
  it('answers 404 for an unknown path and 405 for a method a path does not take, in the envelope', async () => {
    expect(await rest('GET', '/sensor', { token: user.accessToken })).toMatchObject({
      status: 404,
      body: { status: 'error', message: 'no route for GET /api/v1/sensor; the API is described at /api/v1/openapi.json' },
    });
    const patch = await rest('PATCH', '/sensors', { token: user.accessToken, body: {} });
    expect(patch).toMatchObject({ status: 405, body: { status: 'error', message: 'method PATCH is not allowed on /api/v1/sensors; use GET, PUT, DELETE' } });
    expect(patch.headers.get('allow')).toBe('GET, PUT, DELETE');
  });

  it('serves an OpenAPI 3.1 document describing every route, without a token', async () => {
    const response = await fetch(new URL('/api/v1/openapi.json', api.url));
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; parameters?: { name: string; required: boolean; schema: unknown }[] }>>;
    };
    expect(document.openapi).toBe('3.1.0');
    expect(Object.fromEntries(Object.entries(document.paths).map(([path, methods]) => [path, Object.keys(methods).sort()]))).toEqual({
      '/api/v1/auth/register': ['post'],
      '/api/v1/auth/login': ['post'],
      '/api/v1/sensors': ['delete', 'get', 'put'],
      '/api/v1/sensors/generate/manual': ['post'],
      '/api/v1/sensors/generate/start': ['post'],
      '/api/v1/sensors/generate/stop': ['post'],
      '/api/v1/sensors/generate/frequency': ['put'],
    });
    const get = document.paths['/api/v1/sensors']!.get!;
    expect(get.parameters?.filter((p) => p.required).map((p) => [p.name, p.schema])).toEqual([
      ['limit', { type: 'integer' }],
      ['page', { type: 'integer' }],
    ]);
    expect(Object.keys(get.responses).sort()).toEqual(['200', '400', '401', '403']);
    expect(Object.keys(document.paths['/api/v1/sensors']!.put!.responses).sort()).toEqual(['200', '202', '400', '401', '403', '413', '503']);
  });
});
