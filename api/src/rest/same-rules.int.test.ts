/**
 * One rule, one message, whatever the transport: for every rule of SPEC §3 the message is
 * computed here by calling the core directly, and GraphQL and REST must both answer it
 * (REST spelling the field the way its clients send it). A change to a core message or
 * rule shows in both transports, or this fails. Refused changes append nothing.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { register, type Account } from '../../../test/support/accounts.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { restClient, type Rest, type RestOptions } from '../../../test/support/rest.ts';
import { CoreError } from '../core/errors.ts';
import { requireNonEmptyFilter, validateChanges, validateFilter, validateReading, type ReadingInput } from '../core/readings/input.ts';

const MAX_FUTURE_MS = 300_000;
const LATER = '2026-01-02T00:00:00Z';
const EARLIER = '2026-01-01T00:00:00Z';

let env: TestEnv;
let api: ApiStack;
let rest: Rest;
let admin: Account;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env);
  rest = restClient(api.url);
  admin = await register(api.gql, 'root');
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

const streamMessages = async () => (await (await jetstreamManager(env.nc)).streams.info(env.names.stream)).state.messages;

/** The message the core gives for this input. */
function coreMessage(call: () => unknown): string {
  try {
    call();
  } catch (error) {
    if (error instanceof CoreError && error.code === 'BAD_USER_INPUT') return error.message;
    throw error;
  }
  throw new Error('the core accepted the input');
}

const READINGS = 'query ($filter: ReadingFilter, $page: Int, $limit: Int) { readings(filter: $filter, page: $page, limit: $limit) { totalCount } }';
const UPDATE = 'mutation ($filter: ReadingFilter!, $changes: ReadingChanges!) { updateReadings(filter: $filter, changes: $changes) { affected } }';
const DELETE = 'mutation ($filter: ReadingFilter!) { deleteReadings(filter: $filter) { affected } }';
const RECORD = 'mutation ($readings: [ReadingInput!]!) { recordReadings(readings: $readings) { accepted } }';

interface Rule {
  title: string;
  core: () => unknown;
  graphql: [query: string, variables: Record<string, unknown>];
  rest: [method: string, path: string, options: RestOptions];
  /** The field name the core's message starts with, and REST's name for it. */
  renamed?: [core: string, rest: string];
  /** GraphQL's batch ingest names the reading in the batch. */
  graphqlPrefix?: string;
}

const future = () => new Date(Date.now() + 3_600_000).toISOString();
const page = { limit: 10, page: 1 };
const change = (filter: Record<string, unknown>, changes: Record<string, unknown>) => () => {
  const validFilter = validateFilter(filter);
  return validateChanges(changes, validFilter, Date.now(), MAX_FUTURE_MS);
};
const goodReading: ReadingInput = { sensorType: 'humidity', value: 40, deviceCode: 'A', deviceNumber: 1, timestamp: '2026-01-01T00:00:00Z' };
const restReading = (r: ReadingInput) => ({ sensor_type: r.sensorType, sensor_value: r.value, device_code: r.deviceCode, device_number: r.deviceNumber, timestamp: r.timestamp });
const readingRule = (title: string, input: Partial<ReadingInput>, renamed?: [string, string]): Rule => {
  const reading = { ...goodReading, ...input };
  return {
    title,
    core: () => validateReading(reading, Date.now(), MAX_FUTURE_MS),
    graphql: [RECORD, { readings: [reading] }],
    rest: ['POST', '/sensors/generate/manual', { body: restReading(reading) }],
    renamed,
    graphqlPrefix: 'reading 0: ',
  };
};

const rules: Rule[] = [
  {
    title: 'a readings filter whose start is after its end',
    core: () => validateFilter({ from: LATER, to: EARLIER }),
    graphql: [READINGS, { filter: { from: LATER, to: EARLIER } }],
    rest: ['GET', '/sensors', { query: { start_time: LATER, end_time: EARLIER, ...page } }],
  },
  {
    title: 'an update filter whose start is after its end',
    core: () => validateFilter({ from: LATER, to: EARLIER }),
    graphql: [UPDATE, { filter: { from: LATER, to: EARLIER }, changes: { value: 1 } }],
    rest: ['PUT', '/sensors', { body: { criteria: { start_time: LATER, end_time: EARLIER }, changes: { sensor_value: 1 } } }],
  },
  {
    title: 'a deletion filter whose start is after its end',
    core: () => validateFilter({ from: LATER, to: EARLIER }),
    graphql: [DELETE, { filter: { from: LATER, to: EARLIER } }],
    rest: ['DELETE', '/sensors', { body: { start_time: LATER, end_time: EARLIER } }],
  },
  {
    title: 'an update with an empty filter',
    core: () => requireNonEmptyFilter(validateFilter({}), 'update'),
    graphql: [UPDATE, { filter: {}, changes: { value: 1 } }],
    rest: ['PUT', '/sensors', { body: { criteria: {}, changes: { sensor_value: 1 } } }],
  },
  {
    title: 'a deletion with an empty filter',
    core: () => requireNonEmptyFilter(validateFilter({}), 'deletion'),
    graphql: [DELETE, { filter: {} }],
    rest: ['DELETE', '/sensors', { body: {} }],
  },
  {
    title: 'an update with no changes',
    core: change({ deviceCode: 'A' }, {}),
    graphql: [UPDATE, { filter: { deviceCode: 'A' }, changes: {} }],
    rest: ['PUT', '/sensors', { body: { criteria: { device_code: 'A' }, changes: {} } }],
  },
  {
    title: 'a new value out of the range of the filtered sensor type',
    core: change({ sensorType: 'humidity' }, { value: 101 }),
    graphql: [UPDATE, { filter: { sensorType: 'humidity' }, changes: { value: 101 } }],
    rest: ['PUT', '/sensors', { body: { criteria: { sensor_type: 'humidity' }, changes: { sensor_value: 101 } } }],
    renamed: ['value', 'sensor_value'],
  },
  {
    title: 'a new value out of the range of the new sensor type',
    core: change({ deviceCode: 'A' }, { sensorType: 'pressure', value: 5 }),
    graphql: [UPDATE, { filter: { deviceCode: 'A' }, changes: { sensorType: 'pressure', value: 5 } }],
    rest: ['PUT', '/sensors', { body: { criteria: { device_code: 'A' }, changes: { sensor_type: 'pressure', sensor_value: 5 } } }],
    renamed: ['value', 'sensor_value'],
  },
  {
    title: 'a new value out of the range of every sensor type',
    core: change({ deviceCode: 'A' }, { value: -1000 }),
    graphql: [UPDATE, { filter: { deviceCode: 'A' }, changes: { value: -1000 } }],
    rest: ['PUT', '/sensors', { body: { criteria: { device_code: 'A' }, changes: { sensor_value: -1000 } } }],
    renamed: ['value', 'sensor_value'],
  },
  {
    title: 'an unknown sensor type as a change',
    core: change({ deviceCode: 'A' }, { sensorType: 'radiation' }),
    graphql: [UPDATE, { filter: { deviceCode: 'A' }, changes: { sensorType: 'radiation' } }],
    rest: ['PUT', '/sensors', { body: { criteria: { device_code: 'A' }, changes: { sensor_type: 'radiation' } } }],
    renamed: ['sensorType', 'sensor_type'],
  },
  {
    title: 'a new timestamp more than 5 minutes ahead',
    core: change({ deviceCode: 'A' }, { timestamp: future() }),
    graphql: [UPDATE, { filter: { deviceCode: 'A' }, changes: { timestamp: future() } }],
    rest: ['PUT', '/sensors', { body: { criteria: { device_code: 'A' }, changes: { timestamp: future() } } }],
  },
  {
    title: 'an unknown sensor type in a filter',
    core: () => validateFilter({ sensorType: 'Humidity' }),
    graphql: [READINGS, { filter: { sensorType: 'Humidity' } }],
    rest: ['GET', '/sensors', { query: { sensor_type: 'Humidity', ...page } }],
    renamed: ['sensorType', 'sensor_type'],
  },
  {
    title: 'a lowercase device code in a filter',
    core: () => validateFilter({ deviceCode: 'abc' }),
    graphql: [READINGS, { filter: { deviceCode: 'abc' } }],
    rest: ['GET', '/sensors', { query: { device_code: 'abc', ...page } }],
    renamed: ['deviceCode', 'device_code'],
  },
  {
    title: 'a device code of 21 letters in update criteria',
    core: () => validateFilter({ deviceCode: 'A'.repeat(21) }),
    graphql: [UPDATE, { filter: { deviceCode: 'A'.repeat(21) }, changes: { value: 1 } }],
    rest: ['PUT', '/sensors', { body: { criteria: { device_code: 'A'.repeat(21) }, changes: { sensor_value: 1 } } }],
    renamed: ['deviceCode', 'device_code'],
  },
  {
    title: 'device number 0 in a filter',
    core: () => validateFilter({ deviceNumber: 0 }),
    graphql: [READINGS, { filter: { deviceNumber: 0 } }],
    rest: ['GET', '/sensors', { query: { device_number: 0, ...page } }],
    renamed: ['deviceNumber', 'device_number'],
  },
  {
    title: 'a negative device number in deletion criteria',
    core: () => validateFilter({ deviceNumber: -3 }),
    graphql: [DELETE, { filter: { deviceNumber: -3 } }],
    rest: ['DELETE', '/sensors', { body: { device_number: -3 } }],
    renamed: ['deviceNumber', 'device_number'],
  },
  readingRule('a humidity reading of 120', { value: 120 }, ['value', 'sensor_value']),
  readingRule('a reading of an unknown sensor type', { sensorType: 'radiation' }, ['sensorType', 'sensor_type']),
  readingRule('a reading from device code "a1"', { deviceCode: 'a1' }, ['deviceCode', 'device_code']),
  readingRule('a reading from device number 0', { deviceNumber: 0 }, ['deviceNumber', 'device_number']),
  readingRule('a reading with a timestamp without an offset', { timestamp: '2026-01-01T00:00:00' }),
  readingRule('a reading with a timestamp an hour ahead', { timestamp: future() }),
];

describe('the rules of SPEC §3 through GraphQL and REST', () => {
  it.each(rules.map((rule) => [rule.title, rule] as const))('gives the core message for %s in both', async (_title, rule) => {
    const expected = coreMessage(rule.core);
    const before = await streamMessages();

    const graphql = await api.gql(rule.graphql[0], rule.graphql[1], admin.accessToken);
    expect(graphql.errors?.[0]).toMatchObject({ message: `${rule.graphqlPrefix ?? ''}${expected}`, extensions: { code: 'BAD_USER_INPUT' } });

    const [method, path, options] = rule.rest;
    const response = await rest(method, path, { ...options, token: admin.accessToken });
    const [coreName, restName] = rule.renamed ?? ['', ''];
    if (rule.renamed) expect(expected.startsWith(`${coreName} `)).toBe(true);
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ status: 'error', message: rule.renamed ? `${restName}${expected.slice(coreName.length)}` : expected });

    expect(await streamMessages()).toBe(before);
  });

  it('gives the SPEC texts word for word', () => {
    const texts = rules.map((rule) => coreMessage(rule.core));
    for (const text of ['start time cannot be greater than end time', 'at least one filter is required for update', 'at least one filter is required for deletion', 'at least one field to update must be provided']) {
      expect(texts).toContain(text);
    }
  });

  it('refuses a deletion by a user in both, with the same status family', async () => {
    const user = await register(api.gql, 'alice');
    const graphql = await api.gql(DELETE, { filter: { deviceCode: 'A' } }, user.accessToken);
    expect(graphql.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const response = await rest('DELETE', '/sensors', { body: { device_code: 'A' }, token: user.accessToken });
    expect(response).toMatchObject({ status: 403, body: { status: 'error', message: 'the user role may not delete readings' } });
  });
});
