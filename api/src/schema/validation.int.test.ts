/**
 * Every validation rule of SPEC §3, through GraphQL: BAD_USER_INPUT with the spec's
 * message and `extensions.field` naming the offending input. Refused changes append
 * nothing to the stream.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { register, type Account } from '../../../test/support/accounts.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { publishEvents, reading, T0 } from '../../../test/support/events.ts';

let env: TestEnv;
let api: ApiStack;
let admin: Account;
let user: Account;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env);
  admin = await register(api.gql, 'root');
  user = await register(api.gql, 'Alice');
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

const streamMessages = async () => (await (await jetstreamManager(env.nc)).streams.info(env.names.stream)).state.messages;

const READINGS = 'query ($filter: ReadingFilter, $first: Int, $after: String, $last: Int, $before: String, $page: Int, $limit: Int) { readings(filter: $filter, first: $first, after: $after, last: $last, before: $before, page: $page, limit: $limit) { totalCount } }';
const UPDATE = 'mutation ($filter: ReadingFilter!, $changes: ReadingChanges!, $key: String) { updateReadings(filter: $filter, changes: $changes, idempotencyKey: $key) { affected } }';
const DELETE = 'mutation ($filter: ReadingFilter!) { deleteReadings(filter: $filter) { affected } }';
const RESTORE = 'mutation ($filter: ReadingFilter!) { restoreReadings(filter: $filter) { affected } }';
const REGISTER = 'mutation ($username: String!, $password: String!) { register(username: $username, password: $password) { user { id } } }';

const LATER = '2026-01-02T00:00:00Z';
const EARLIER = '2026-01-01T00:00:00Z';
const SENSOR_TYPE_MESSAGE = 'sensorType must be one of temperature, humidity, pressure, co2, light';

interface Rejection {
  title: string;
  query: string;
  variables: Record<string, unknown>;
  /** Defaults to the admin, who may run everything. */
  as?: () => Account;
  message: string;
  field: string;
}

const rejections: Rejection[] = [
  { title: 'a readings filter whose from is after its to', query: READINGS, variables: { filter: { from: LATER, to: EARLIER } }, message: 'start time cannot be greater than end time', field: 'from' },
  { title: 'an update filter whose from is after its to', query: UPDATE, variables: { filter: { from: LATER, to: EARLIER }, changes: { value: 1 } }, message: 'start time cannot be greater than end time', field: 'from' },
  { title: 'a deletion filter whose from is after its to', query: DELETE, variables: { filter: { from: LATER, to: EARLIER } }, message: 'start time cannot be greater than end time', field: 'from' },
  { title: 'an update with an empty filter', query: UPDATE, variables: { filter: {}, changes: { value: 1 } }, as: () => user, message: 'at least one filter is required for update', field: 'filter' },
  { title: 'an update whose filter fields are all null', query: UPDATE, variables: { filter: { deviceCode: null, from: null }, changes: { value: 1 } }, message: 'at least one filter is required for update', field: 'filter' },
  { title: 'a deletion with an empty filter', query: DELETE, variables: { filter: {} }, message: 'at least one filter is required for deletion', field: 'filter' },
  { title: 'a restore with an empty filter', query: RESTORE, variables: { filter: {} }, message: 'at least one filter is required for restore', field: 'filter' },
  { title: 'an update with no changes', query: UPDATE, variables: { filter: { deviceCode: 'A' }, changes: {} }, as: () => user, message: 'at least one field to update must be provided', field: 'changes' },
  { title: 'an update whose changes are all null', query: UPDATE, variables: { filter: { deviceCode: 'A' }, changes: { value: null, sensorType: null, timestamp: null } }, message: 'at least one field to update must be provided', field: 'changes' },
  { title: 'a humidity of 101 for readings filtered to humidity', query: UPDATE, variables: { filter: { sensorType: 'humidity' }, changes: { value: 101 } }, message: 'value 101 is out of range for humidity (0…100 %)', field: 'value' },
  { title: 'a value outside the range of the new sensor type', query: UPDATE, variables: { filter: { deviceCode: 'A' }, changes: { sensorType: 'pressure', value: 5 } }, message: 'value 5 is out of range for pressure (300…1100 hPa)', field: 'value' },
  { title: 'a value outside the range of every sensor type', query: UPDATE, variables: { filter: { deviceCode: 'A' }, changes: { value: -1000 } }, message: 'value -1000 is out of range for every sensor type', field: 'value' },
  { title: 'an unknown sensorType in a readings filter', query: READINGS, variables: { filter: { sensorType: 'radiation' } }, message: SENSOR_TYPE_MESSAGE, field: 'sensorType' },
  { title: 'an unknown sensorType in an update filter', query: UPDATE, variables: { filter: { sensorType: 'Humidity' }, changes: { value: 1 } }, message: SENSOR_TYPE_MESSAGE, field: 'sensorType' },
  { title: 'an unknown sensorType as a change', query: UPDATE, variables: { filter: { deviceCode: 'A' }, changes: { sensorType: 'radiation' } }, message: SENSOR_TYPE_MESSAGE, field: 'sensorType' },
  { title: 'a lowercase deviceCode', query: READINGS, variables: { filter: { deviceCode: 'abc' } }, message: 'deviceCode must be 1–20 capital letters A–Z', field: 'deviceCode' },
  { title: 'a deviceCode of 21 letters', query: UPDATE, variables: { filter: { deviceCode: 'A'.repeat(21) }, changes: { value: 1 } }, message: 'deviceCode must be 1–20 capital letters A–Z', field: 'deviceCode' },
  { title: 'a deviceCode with a digit', query: DELETE, variables: { filter: { deviceCode: 'A1' } }, message: 'deviceCode must be 1–20 capital letters A–Z', field: 'deviceCode' },
  { title: 'deviceNumber 0', query: READINGS, variables: { filter: { deviceNumber: 0 } }, message: 'deviceNumber must be an integer from 1 to 2147483647', field: 'deviceNumber' },
  { title: 'a negative deviceNumber in a deletion', query: DELETE, variables: { filter: { deviceNumber: -3 } }, message: 'deviceNumber must be an integer from 1 to 2147483647', field: 'deviceNumber' },
  { title: 'a new timestamp more than 5 minutes in the future', query: UPDATE, variables: { filter: { deviceCode: 'A' }, changes: { timestamp: new Date(Date.now() + 3_600_000).toISOString() } }, message: 'timestamp cannot be more than 300 s in the future', field: 'timestamp' },
  { title: 'a page size of 1001 with first', query: READINGS, variables: { first: 1001 }, message: 'first must be an integer from 1 to 1000', field: 'first' },
  { title: 'a page size of 0 with first', query: READINGS, variables: { first: 0 }, message: 'first must be an integer from 1 to 1000', field: 'first' },
  { title: 'a page size of 1001 with limit', query: READINGS, variables: { page: 1, limit: 1001 }, message: 'limit must be an integer from 1 to 1000', field: 'limit' },
  { title: 'a page size of 1001 with last', query: READINGS, variables: { last: 1001 }, message: 'last must be an integer from 1 to 1000', field: 'last' },
  { title: 'page 0', query: READINGS, variables: { page: 0, limit: 10 }, message: 'page must be an integer of at least 1', field: 'page' },
  { title: 'an after cursor the API did not issue', query: READINGS, variables: { first: 10, after: 'not-a-cursor' }, message: 'after is not a cursor this API issued', field: 'after' },
  { title: 'a well-formed but forged after cursor', query: READINGS, variables: { after: Buffer.from(JSON.stringify(['yesterday', '1; DROP TABLE readings'])).toString('base64url') }, message: 'after is not a cursor this API issued', field: 'after' },
  { title: 'a before cursor the API did not issue', query: READINGS, variables: { last: 10, before: 'eyJ4IjoxfQ' }, message: 'before is not a cursor this API issued', field: 'before' },
  { title: 'two ways of paging at once', query: READINGS, variables: { first: 10, page: 2 }, message: 'use one way of paging: first/after, last/before, or page/limit', field: 'page' },
  { title: 'an idempotencyKey of 201 characters', query: UPDATE, variables: { filter: { deviceCode: 'A' }, changes: { value: 1 }, key: 'k'.repeat(201) }, message: 'idempotencyKey must be 1–200 characters', field: 'idempotencyKey' },
  { title: 'a username of 2 characters', query: REGISTER, variables: { username: 'ab', password: 'long enough password' }, message: 'username must be 3–50 characters of letters, digits, _ . or -', field: 'username' },
  { title: 'a username of 51 characters', query: REGISTER, variables: { username: 'a'.repeat(51), password: 'long enough password' }, message: 'username must be 3–50 characters of letters, digits, _ . or -', field: 'username' },
  { title: 'a username with a space', query: REGISTER, variables: { username: 'bad name', password: 'long enough password' }, message: 'username must be 3–50 characters of letters, digits, _ . or -', field: 'username' },
  { title: 'a password of 7 characters', query: REGISTER, variables: { username: 'shortpw', password: '1234567' }, message: 'password must be 8–128 characters', field: 'password' },
  { title: 'a password of 129 characters', query: REGISTER, variables: { username: 'longpw', password: 'p'.repeat(129) }, message: 'password must be 8–128 characters', field: 'password' },
  { title: 'a username taken in another case', query: REGISTER, variables: { username: 'alice', password: 'long enough password' }, message: 'username alice is already taken', field: 'username' },
];

describe('validation', () => {
  for (const { title, query, variables, as, message, field } of rejections) {
    it(`rejects ${title} with BAD_USER_INPUT`, async () => {
      const before = await streamMessages();
      const response = await api.gql(query, variables, (as ?? (() => admin))().accessToken);
      expect(response.errors?.[0]).toMatchObject({ message, extensions: { code: 'BAD_USER_INPUT', field } });
      expect(await streamMessages()).toBe(before);
    });
  }

  it('accepts the boundaries: from equal to to, page size 1000, 3- and 50-character usernames, 8- and 128-character passwords', async () => {
    const readings = await api.gql(READINGS, { filter: { from: EARLIER, to: EARLIER }, first: 1000 }, user.accessToken);
    expect(readings).toMatchObject({ data: { readings: { totalCount: 0 } } });
    expect(readings.errors).toBeUndefined();
    for (const [username, password] of [
      ['abc', '12345678'],
      ['b'.repeat(50), 'p'.repeat(128)],
      ['dots.and_dashes-9', 'long enough password'],
    ]) {
      const response = await api.gql(REGISTER, { username, password });
      expect(response.errors).toBeUndefined();
    }
  });

  it('rejects a time without an offset, in a variable or inline, with BAD_USER_INPUT and HTTP 200', async () => {
    const inVariable = await api.gql(READINGS, { filter: { from: '2026-01-01T00:00:00' } }, user.accessToken);
    const inline = await api.gql('{ readings(filter: { to: "2026-01-01 00:00" }) { totalCount } }', {}, user.accessToken);
    for (const response of [inVariable, inline]) {
      expect(response.status).toBe(200);
      expect(response.errors?.[0]).toMatchObject({ message: expect.stringMatching(/RFC 3339 time with an offset/), extensions: { code: 'BAD_USER_INPUT' } });
    }
  });

  it('accepts 0 as a new value and applies it', async () => {
    const seqs = await publishEvents(
      jetstream(env.nc),
      env.names,
      [1, 2, 3].map((n) => reading({ sensorType: 'humidity', deviceCode: 'ZERO', deviceNumber: n, value: 55, at: T0 + n * 1000 })),
    );
    await api.projector.waitFor(seqs.at(-1)!, 10_000);
    const update = await api.gql(UPDATE, { filter: { deviceCode: 'ZERO', sensorType: 'humidity' }, changes: { value: 0 } }, user.accessToken);
    expect(update.errors).toBeUndefined();
    expect(update.data).toEqual({ updateReadings: { affected: 3 } });
    const after = await api.gql<{ readings: { nodes: { value: number; version: number; updatedBy: string }[] } }>(
      '{ readings(filter: { deviceCode: "ZERO" }) { nodes { value version updatedBy } } }',
      {},
      user.accessToken,
    );
    expect(after.data?.readings.nodes).toEqual([1, 2, 3].map(() => ({ value: 0, version: 1, updatedBy: 'Alice' })));
  });
});
