/**
 * `auditEvents` against a real API, projector, nats-server and Postgres: a user's edit made
 * through GraphQL shows up for an admin with its actor, paged by stream sequence; users are refused.
 */
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditEventsDocument, createClient } from '../../../sdk/index.ts';
import { AuditLog } from '../core/audit.ts';
import { errorCode, login, PASSWORD, register, type Account } from '../../../test/support/accounts.ts';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { publishEvents, reading } from '../../../test/support/events.ts';

const AUDIT = `query ($filter: AuditEventFilter, $first: Int, $after: String) {
  auditEvents(filter: $filter, first: $first, after: $after) {
    nodes { sequence type actor subject data problem time occurredAt eventId }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface AuditNode {
  sequence: string;
  type: string;
  actor: string | null;
  subject: string;
  data: string;
}
interface AuditAnswer {
  auditEvents: { nodes: AuditNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

let env: TestEnv;
let api: ApiStack;
let admin: Account;
let alice: Account;
let readingSeqs: number[];

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env, { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: PASSWORD });
  admin = await login(api.gql, 'root');
  alice = await register(api.gql, 'alice');
  readingSeqs = await publishEvents(jetstream(env.nc), env.names, [reading({ deviceCode: 'A', deviceNumber: 1 }), reading({ deviceCode: 'A', deviceNumber: 2 })]);
  const edit = await api.gql('mutation { updateReadings(filter: { deviceCode: "A", deviceNumber: 1 }, changes: { value: 0 }) { affected } }', {}, alice.accessToken);
  expect(edit.data).toEqual({ updateReadings: { affected: 1 } });
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

describe('auditEvents', () => {
  it('shows an admin who changed what, read from the stream', async () => {
    const response = await api.gql<AuditAnswer>(AUDIT, { filter: { actor: 'alice' } }, admin.accessToken);
    expect(response.errors).toBeUndefined();
    const nodes = response.data!.auditEvents.nodes;
    expect(nodes.map((n) => [n.type, n.actor, n.subject])).toEqual([['ReadingsEdited', 'alice', `${env.names.prefix}.readings.edited`]]);
    expect(JSON.parse(nodes[0]!.data)).toMatchObject({ filter: { deviceCode: 'A', deviceNumber: 1 }, changes: { value: 0 } });
  });

  it('pages a device’s events by stream sequence', async () => {
    const first = await api.gql<AuditAnswer>(AUDIT, { filter: { deviceCode: 'A', deviceNumber: 1 }, first: 1 }, admin.accessToken);
    expect(first.data!.auditEvents.nodes.map((n) => [n.sequence, n.type])).toEqual([[String(readingSeqs[0]), 'ReadingRecorded']]);
    expect(first.data!.auditEvents.pageInfo).toEqual({ hasNextPage: true, endCursor: String(readingSeqs[0]) });
    const second = await api.gql<AuditAnswer>(AUDIT, { filter: { deviceCode: 'A', deviceNumber: 1 }, first: 10, after: first.data!.auditEvents.pageInfo.endCursor }, admin.accessToken);
    expect(second.data!.auditEvents.nodes.map((n) => [n.type, n.actor])).toEqual([['ReadingsEdited', 'alice']]);
    expect(second.data!.auditEvents.pageInfo.hasNextPage).toBe(false);
  });

  it('serves the SDK document the CLI uses', async () => {
    const client = createClient({ url: api.url, credential: () => admin.accessToken });
    const result = await client.request(AuditEventsDocument, { filter: { types: ['ReadingRecorded'], deviceCode: 'A' }, first: 5 });
    expect(result.auditEvents.nodes.map((n) => Number(n.sequence))).toEqual(readingSeqs);
  });

  it('stops a page after reading its share of the stream, and goes on from there', async () => {
    const audit = new AuditLog(env.nc, { names: env.names, maxFutureMs: 300_000, scanLimit: 2 });
    const first = await audit.page({ actor: 'alice' }, { first: 10 });
    expect(first).toEqual({ events: [], hasNextPage: true, endCursor: String(readingSeqs[1]) });
    const second = await audit.page({ actor: 'alice' }, { first: 10, after: first.endCursor });
    expect(second.events.map((e) => [e.type, e.actor])).toEqual([['ReadingsEdited', 'alice']]);
    expect(second.hasNextPage).toBe(false);
  });

  it('refuses users', async () => {
    const response = await api.gql(AUDIT, {}, alice.accessToken);
    expect(errorCode(response)).toBe('FORBIDDEN');
    expect(response.errors?.[0]?.message).toBe('the user role may not read audit events');
  });

  it('refuses a filter it cannot use, naming the field', async () => {
    const reversed = await api.gql(AUDIT, { filter: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' } }, admin.accessToken);
    expect(errorCode(reversed)).toBe('BAD_USER_INPUT');
    expect(reversed.errors?.[0]?.message).toBe('start time cannot be greater than end time');
    const unknown = await api.gql(AUDIT, { filter: { types: ['ReadingChanged'] } }, admin.accessToken);
    expect(unknown.errors?.[0]).toMatchObject({ message: expect.stringContaining('unknown event type "ReadingChanged"'), extensions: { code: 'BAD_USER_INPUT', field: 'types' } });
    const none = await api.gql(AUDIT, { first: 0 }, admin.accessToken);
    expect(none.errors?.[0]?.message).toBe('first must be an integer from 1 to 1000');
  });
});
