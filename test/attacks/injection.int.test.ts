/**
 * SQL injection through every filter and ingest field of GraphQL and REST (MQTT: see
 * mqtt-injection.int.test.ts and api/src/mqtt.int.test.ts: injected topics and payloads are
 * dead-lettered). Each
 * payload is either refused with the field's own validation message, or stored and read
 * back byte for byte (free-text fields). After every attack the tables still exist and
 * hold exactly the rows they held; the stream holds no event a refused mutation would
 * have appended. The payloads are built so that an executed one would show: `' OR '1'='1`
 * in a filter would match the seeded readings, `root' --` as a login name would log in as
 * root with root's password.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../support/api.ts';
import { createApiKey, errorCode, login, PASSWORD, register, type Account } from '../support/accounts.ts';
import { createTestEnv, type TestEnv } from '../support/env.ts';
import { iso, publishEvents, reading, T0 } from '../support/events.ts';
import { restClient, type Rest } from '../support/rest.ts';

const INJECTIONS = [
  "A' OR '1'='1",
  "A'; DROP TABLE readings; --",
  'A" OR 1=1 --',
  "' UNION SELECT username, password_hash FROM users --",
  "1; DELETE FROM users; --",
  "A'); TRUNCATE readings CASCADE; --",
];
const SEEDED = 6;

let env: TestEnv;
let api: ApiStack;
let rest: Rest;
let admin: Account;
let user: Account;
let deviceKey: string;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env, { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: PASSWORD, LOGIN_MAX_ATTEMPTS_PER_ADDRESS: '10000', LOGIN_MAX_ATTEMPTS_PER_ACCOUNT: '1000' });
  rest = restClient(api.url);
  admin = await login(api.gql, 'root');
  user = await register(api.gql, 'alice');
  deviceKey = (await createApiKey(api.gql, admin.accessToken, 'DEVICE', 'fleet')).key;
  const events = Array.from({ length: SEEDED }, (_, i) => reading({ deviceCode: 'A', deviceNumber: 1, value: 20 + i, seq: i + 1, at: T0 + i * 1000 }));
  const seqs = await publishEvents(jetstream(env.nc), env.names, events);
  await api.projector.waitFor(seqs.at(-1)!, 15_000);
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

interface Census {
  readings: number;
  users: number;
  apiKeys: number;
  streamMessages: number;
}

/** Fails if a table is gone (the query errors), else counts what an executed payload would change. */
async function census(): Promise<Census> {
  const { rows } = await env.db.query<{ readings: number; users: number; api_keys: number }>(
    'SELECT (SELECT count(*) FROM readings)::int AS readings, (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM api_keys)::int AS api_keys',
  );
  const info = await (await jetstreamManager(env.nc)).streams.info(env.names.stream);
  return { readings: rows[0]!.readings, users: rows[0]!.users, apiKeys: rows[0]!.api_keys, streamMessages: info.state.messages };
}

async function unchangedAfter(attack: () => Promise<void>): Promise<void> {
  const before = await census();
  expect(before.readings).toBeGreaterThanOrEqual(SEEDED);
  await attack();
  expect(await census()).toEqual(before);
}

interface GraphQLField {
  what: string;
  query: string;
  variables: (payload: string) => Record<string, unknown>;
  token: () => string;
  /** The validation message, as the core words it. */
  message: RegExp;
  field: string;
}

const READINGS = 'query ($f: ReadingFilter) { readings(filter: $f) { totalCount nodes { id } } }';
const code = /^deviceCode must be 1–20 capital letters A–Z/;
const type = /^sensorType must be one of temperature, humidity, pressure, co2, light/;
const time = /^(from|to|timestamp) must be an RFC 3339 date-time with an offset|DateTime/;

const graphqlFields: GraphQLField[] = [
  { what: 'readings filter.deviceCode', query: READINGS, variables: (p) => ({ f: { deviceCode: p } }), token: () => user.accessToken, message: code, field: 'deviceCode' },
  { what: 'readings filter.sensorType', query: READINGS, variables: (p) => ({ f: { sensorType: p } }), token: () => user.accessToken, message: type, field: 'sensorType' },
  {
    what: 'deletedReadings filter.deviceCode',
    query: 'query ($f: ReadingFilter) { deletedReadings(filter: $f) { totalCount } }',
    variables: (p) => ({ f: { deviceCode: p } }),
    token: () => admin.accessToken,
    message: code,
    field: 'deviceCode',
  },
  {
    what: 'readingStats filter.sensorType',
    query: 'query ($f: ReadingFilter) { readingStats(filter: $f, bucket: DAY) { count } }',
    variables: (p) => ({ f: { sensorType: p } }),
    token: () => user.accessToken,
    message: type,
    field: 'sensorType',
  },
  {
    what: 'updateReadings filter.deviceCode',
    query: 'mutation ($f: ReadingFilter!) { updateReadings(filter: $f, changes: { value: 1 }) { affected } }',
    variables: (p) => ({ f: { deviceCode: p } }),
    token: () => user.accessToken,
    message: code,
    field: 'deviceCode',
  },
  {
    what: 'updateReadings changes.sensorType',
    query: 'mutation ($s: String) { updateReadings(filter: { deviceCode: "A" }, changes: { sensorType: $s }) { affected } }',
    variables: (p) => ({ s: p }),
    token: () => user.accessToken,
    message: type,
    field: 'sensorType',
  },
  {
    what: 'deleteReadings filter.sensorType',
    query: 'mutation ($f: ReadingFilter!) { deleteReadings(filter: $f) { affected } }',
    variables: (p) => ({ f: { sensorType: p } }),
    token: () => admin.accessToken,
    message: type,
    field: 'sensorType',
  },
  {
    what: 'restoreReadings filter.deviceCode',
    query: 'mutation ($f: ReadingFilter!) { restoreReadings(filter: $f) { affected } }',
    variables: (p) => ({ f: { deviceCode: p } }),
    token: () => admin.accessToken,
    message: code,
    field: 'deviceCode',
  },
  {
    what: 'recordReadings readings[].deviceCode',
    query: 'mutation ($r: [ReadingInput!]!) { recordReadings(readings: $r) { accepted } }',
    variables: (p) => ({ r: [{ sensorType: 'temperature', value: 20, deviceCode: p, deviceNumber: 1, timestamp: iso(T0) }] }),
    token: () => deviceKey,
    message: /deviceCode must be 1–20 capital letters A–Z/,
    field: 'deviceCode',
  },
  {
    what: 'recordReadings readings[].sensorType',
    query: 'mutation ($r: [ReadingInput!]!) { recordReadings(readings: $r) { accepted } }',
    variables: (p) => ({ r: [{ sensorType: p, value: 20, deviceCode: 'A', deviceNumber: 1, timestamp: iso(T0) }] }),
    token: () => deviceKey,
    message: /sensorType must be one of temperature, humidity, pressure, co2, light/,
    field: 'sensorType',
  },
  {
    what: 'devices filter.deviceCode',
    query: 'query ($c: String) { devices(filter: { deviceCode: $c }) { nodes { deviceCode } } }',
    variables: (p) => ({ c: p }),
    token: () => user.accessToken,
    message: code,
    field: 'deviceCode',
  },
];

describe('SQL injection through GraphQL', () => {
  it('matches the seeded readings with an honest filter, so a filter that matched everything would show', async () => {
    const response = await api.gql<{ readings: { totalCount: number } }>(READINGS, { f: { deviceCode: 'A' } }, user.accessToken);
    expect(response.data?.readings.totalCount).toBe(SEEDED);
  });

  for (const field of graphqlFields) {
    it(`refuses every payload in ${field.what} with its validation message, executing none`, async () => {
      await unchangedAfter(async () => {
        for (const payload of INJECTIONS) {
          const response = await api.gql(field.query, field.variables(payload), field.token());
          expect(errorCode(response), `${field.what} = ${payload}`).toBe('BAD_USER_INPUT');
          expect(response.errors?.[0]?.message).toMatch(field.message);
          expect(response.errors?.[0]?.extensions?.field).toBe(field.field);
          for (const value of Object.values(response.data ?? {})) expect(value).toBeNull();
        }
      });
    });
  }

  it('answers no device for an injected device code, where the honest code finds one', async () => {
    const DEVICE = 'query ($c: String!) { device(deviceCode: $c, deviceNumber: 1) { deviceCode deviceNumber } }';
    expect((await api.gql(DEVICE, { c: 'A' }, user.accessToken)).data).toEqual({ device: { deviceCode: 'A', deviceNumber: 1 } });
    await unchangedAfter(async () => {
      for (const payload of INJECTIONS) {
        const response = await api.gql(DEVICE, { c: payload }, user.accessToken);
        expect(response).toMatchObject({ status: 200, data: { device: null } });
        expect(response.errors).toBeUndefined();
      }
    });
  });

  it('refuses payloads in the time filters (DateTime) and in reading ids and cursors', async () => {
    await unchangedAfter(async () => {
      for (const payload of INJECTIONS) {
        const from = await api.gql(READINGS, { f: { from: payload } }, user.accessToken);
        expect(errorCode(from)).toBe('BAD_USER_INPUT');
        expect(from.errors?.[0]?.message).toMatch(time);
        const byId = await api.gql('query ($id: ID!) { reading(id: $id) { id } }', { id: `1 OR 1=1; ${payload}` }, user.accessToken);
        expect(byId.errors?.[0]?.extensions?.code ?? null).not.toBe('INTERNAL_SERVER_ERROR');
        expect(byId.data?.reading ?? null).toBeNull();
        const cursor = Buffer.from(JSON.stringify([payload, payload])).toString('base64url');
        const after = await api.gql('query ($a: String) { readings(first: 5, after: $a) { nodes { id } } }', { a: cursor }, user.accessToken);
        expect(errorCode(after)).toBe('BAD_USER_INPUT');
        expect(after.errors?.[0]?.message).toBe('after is not a cursor this API issued');
      }
    });
  });

  it("does not log anyone in with an injected user name and that user's password", async () => {
    await unchangedAfter(async () => {
      for (const username of ["root' --", "root'--", "root' OR '1'='1", 'root" --', "x' OR username = 'root"]) {
        const response = await api.gql('mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }', { u: username, p: PASSWORD });
        expect(response.errors?.[0]).toMatchObject({ message: 'invalid username or password', extensions: { code: 'UNAUTHENTICATED' } });
      }
      // The same request with the plain name logs in: the refusals above are the name's doing.
      expect((await api.gql('mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }', { u: 'root', p: PASSWORD })).errors).toBeUndefined();
    });
  });

  it('refuses injected user names at registration', async () => {
    await unchangedAfter(async () => {
      for (const payload of INJECTIONS) {
        const response = await api.gql('mutation ($u: String!, $p: String!) { register(username: $u, password: $p) { accessToken } }', { u: payload, p: PASSWORD });
        expect(response.errors?.[0]).toMatchObject({ message: 'username must be 3–50 characters of letters, digits, _ . or -', extensions: { code: 'BAD_USER_INPUT', field: 'username' } });
      }
    });
  });

  it('stores free-text fields (API key name, device target name, idempotency key, batch id) as given and returns them unchanged', async () => {
    const before = await census();
    for (const [i, payload] of INJECTIONS.entries()) {
      const key = await api.gql<{ createApiKey: { apiKey: { id: string; name: string } } }>(
        'mutation ($n: String!) { createApiKey(name: $n, role: USER) { apiKey { id name } } }',
        { n: payload },
        user.accessToken,
      );
      expect(key.data?.createApiKey.apiKey.name).toBe(payload);

      const target = await api.gql('mutation ($n: String!, $k: String) { assignDeviceTarget(deviceCode: "A", deviceNumber: 1, target: { name: $n }, idempotencyKey: $k) { applied } }', { n: payload, k: `${payload}-${i}` }, admin.accessToken);
      expect(target.errors).toBeUndefined();
      const device = await api.gql<{ device: { target: { name: string } | null } }>('{ device(deviceCode: "A", deviceNumber: 1) { target { name } } }', {}, admin.accessToken);
      expect(device.data?.device.target?.name).toBe(payload);

      const update = await api.gql<{ updateReadings: { affected: number } }>(
        'mutation ($k: String) { updateReadings(filter: { deviceCode: "NOMATCH" }, changes: { value: 1 }, idempotencyKey: $k) { affected } }',
        { k: payload },
        user.accessToken,
      );
      expect(update.data).toEqual({ updateReadings: { affected: 0 } });

      const batch = await api.gql<{ recordReadings: { accepted: number } }>(
        'mutation ($r: [ReadingInput!]!, $b: String) { recordReadings(readings: $r, batchId: $b) { accepted } }',
        { r: [{ sensorType: 'humidity', value: 40 + i, deviceCode: 'INERT', deviceNumber: 1, timestamp: iso(T0 + i * 1000) }], b: payload },
        deviceKey,
      );
      expect(batch.data).toEqual({ recordReadings: { accepted: 1 } });
    }
    const { rows } = await env.db.query<{ name: string }>('SELECT name FROM api_keys WHERE name = ANY($1) ORDER BY created_at', [INJECTIONS]);
    expect(rows.map((r) => r.name)).toEqual(INJECTIONS);
    const after = await census();
    // Exactly what was asked for: one key per payload, nothing lost, readings only of device INERT added.
    expect(after.apiKeys).toBe(before.apiKeys + INJECTIONS.length);
    expect(after.users).toBe(before.users);
    await api.projector.waitFor(after.streamMessages, 15_000);
    const { rows: readings } = await env.db.query<{ device_code: string; n: number }>('SELECT device_code, count(*)::int AS n FROM readings GROUP BY 1 ORDER BY 1');
    expect(readings).toEqual([
      { device_code: 'A', n: SEEDED },
      { device_code: 'INERT', n: INJECTIONS.length },
    ]);
  });
});

describe('SQL injection through REST', () => {
  const sensors = (query: Record<string, string>) => rest('GET', '/sensors', { token: user.accessToken, query: { limit: '10', page: '1', ...query } });

  it('lists the seeded readings for an honest filter', async () => {
    const response = await sensors({ device_code: 'A' });
    expect(response.status).toBe(200);
    expect(response.body.paginator?.total_items).toBe(SEEDED);
  });

  it('refuses every payload in every query parameter of GET /sensors with 400 naming it', async () => {
    await unchangedAfter(async () => {
      for (const payload of INJECTIONS) {
        for (const parameter of ['device_code', 'device_number', 'sensor_type', 'start_time', 'end_time', 'limit', 'page']) {
          const response = await sensors({ [parameter]: payload });
          expect(response.status, `${parameter} = ${payload}`).toBe(400);
          expect(response.body.message).toMatch(new RegExp(`^${parameter} `));
        }
      }
    });
  });

  it('refuses every payload in the bodies of PUT, DELETE and the manual ingest with 400 naming the field', async () => {
    const cases: { method: string; path: string; token: () => string; body: (p: string) => unknown; field: string }[] = [
      { method: 'PUT', path: '/sensors', token: () => user.accessToken, body: (p) => ({ criteria: { device_code: p }, changes: { sensor_value: 1 } }), field: 'criteria.device_code' },
      { method: 'PUT', path: '/sensors', token: () => user.accessToken, body: (p) => ({ criteria: { device_code: 'A', start_time: p }, changes: { sensor_value: 1 } }), field: 'criteria.start_time' },
      { method: 'PUT', path: '/sensors', token: () => user.accessToken, body: (p) => ({ criteria: { device_code: 'A' }, changes: { sensor_type: p } }), field: 'changes.sensor_type' },
      { method: 'PUT', path: '/sensors', token: () => user.accessToken, body: (p) => ({ criteria: { device_code: 'A' }, changes: { timestamp: p } }), field: 'changes.timestamp' },
      { method: 'DELETE', path: '/sensors', token: () => admin.accessToken, body: (p) => ({ device_code: p }), field: 'device_code' },
      { method: 'DELETE', path: '/sensors', token: () => admin.accessToken, body: (p) => ({ device_code: 'A', end_time: p }), field: 'end_time' },
      ...(['sensor_type', 'device_code', 'timestamp'] as const).map((field) => ({
        method: 'POST',
        path: '/sensors/generate/manual',
        token: () => deviceKey,
        body: (p: string) => ({ sensor_value: 20, sensor_type: 'temperature', device_code: 'A', device_number: 1, timestamp: iso(T0), [field]: p }),
        field,
      })),
    ];
    await unchangedAfter(async () => {
      for (const payload of INJECTIONS) {
        for (const { method, path, token, body, field } of cases) {
          const response = await rest(method, path, { token: token(), body: body(payload) });
          expect(response.status, `${method} ${path} ${field} = ${payload}`).toBe(400);
          // Domain rules name the field as the older API did (`device_code must be …`), shape errors with its path.
          expect(response.body.message).toMatch(new RegExp(`^(${field.replace('.', '\\.')}|${field.split('.').pop()}) `));
        }
      }
    });
  });

  it('does not log in with an injected user name, and refuses one at registration', async () => {
    await unchangedAfter(async () => {
      for (const username of ["root' --", "root' OR '1'='1"]) {
        const response = await rest('POST', '/auth/login', { body: { username, password: PASSWORD } });
        expect(response.status).toBe(401);
        expect(response.body.message).toBe('invalid username or password');
        const registered = await rest('POST', '/auth/register', { body: { username, password: PASSWORD, role: 'user' } });
        expect(registered.status).toBe(400);
        expect(registered.body.message).toMatch(/^username /);
      }
      expect((await rest('POST', '/auth/login', { body: { username: 'root', password: PASSWORD } })).status).toBe(200);
    });
  });
});
