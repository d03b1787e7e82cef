/**
 * Change mutations return after the projector applied them: the very next query sees
 * the change, and the reported count is the number of readings that changed. An
 * idempotency key makes a retry answer the first result without changing anything again.
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

interface Node {
  id: string;
  value: number;
  version: number;
  deviceNumber: number;
  updatedBy: string | null;
  deletedBy: string | null;
  restoredBy: string | null;
}
interface Connection {
  totalCount: number;
  nodes: Node[];
}

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env);
  admin = await register(api.gql, 'root');
  user = await register(api.gql, 'alice');
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

/** Records `perDevice` temperature readings for devices 1..devices of `code`, projected. */
async function seed(code: string, devices: number, perDevice: number): Promise<void> {
  const events = [];
  for (let device = 1; device <= devices; device++) {
    for (let i = 0; i < perDevice; i++) events.push(reading({ deviceCode: code, deviceNumber: device, value: 20, at: T0 + (device * 100 + i) * 1000 }));
  }
  const seqs = await publishEvents(jetstream(env.nc), env.names, events);
  await api.projector.waitFor(seqs.at(-1)!, 10_000);
}

const NODE = 'totalCount nodes { id value version deviceNumber updatedBy deletedBy restoredBy }';

async function readings(filter: Record<string, unknown>, token: string): Promise<Connection> {
  const response = await api.gql<{ readings: Connection }>(`query ($f: ReadingFilter) { readings(filter: $f) { ${NODE} } }`, { f: filter }, token);
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.readings;
}

async function deletedReadings(filter: Record<string, unknown>): Promise<Connection> {
  const response = await api.gql<{ deletedReadings: Connection }>(`query ($f: ReadingFilter) { deletedReadings(filter: $f) { ${NODE} } }`, { f: filter }, admin.accessToken);
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data.deletedReadings;
}

interface ChangeAnswer {
  affected: number;
  sequence: string;
  commandId: string;
}

async function change(mutation: 'updateReadings' | 'deleteReadings' | 'restoreReadings', args: Record<string, unknown>, token: string): Promise<ChangeAnswer> {
  const update = mutation === 'updateReadings';
  const response = await api.gql<Record<string, ChangeAnswer>>(
    `mutation ($filter: ReadingFilter!, $key: String${update ? ', $changes: ReadingChanges!' : ''}) {
      ${mutation}(filter: $filter, idempotencyKey: $key${update ? ', changes: $changes' : ''}) { affected sequence commandId }
    }`,
    args,
    token,
  );
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  return response.data[mutation]!;
}

const streamMessages = async () => (await (await jetstreamManager(env.nc)).streams.info(env.names.stream)).state.messages;

describe('read-your-writes', () => {
  it('reports how many readings an update changed, and the next query shows them changed', async () => {
    await seed('RW', 3, 4);
    const result = await change('updateReadings', { filter: { deviceCode: 'RW', deviceNumber: 2 }, changes: { value: 42.5 } }, user.accessToken);
    expect(result.affected).toBe(4);
    const device2 = await readings({ deviceCode: 'RW', deviceNumber: 2 }, user.accessToken);
    expect(device2.nodes.map((n) => [n.value, n.version, n.updatedBy])).toEqual(Array(4).fill([42.5, 1, 'alice']));
    const others = await readings({ deviceCode: 'RW' }, user.accessToken);
    expect(others.nodes.filter((n) => n.deviceNumber !== 2).map((n) => n.value)).toEqual(Array(8).fill(20));
  });

  it('moves deleted readings from readings to deletedReadings, and restore brings them back', async () => {
    await seed('DEL', 3, 5);
    const deletion = await change('deleteReadings', { filter: { deviceCode: 'DEL', deviceNumber: 1 } }, admin.accessToken);
    expect(deletion.affected).toBe(5);

    const active = await readings({ deviceCode: 'DEL' }, admin.accessToken);
    expect(active.totalCount).toBe(10);
    expect(active.nodes.map((n) => n.deviceNumber)).not.toContain(1);
    const deleted = await deletedReadings({ deviceCode: 'DEL' });
    expect(deleted.totalCount).toBe(5);
    expect(deleted.nodes.map((n) => [n.deviceNumber, n.deletedBy])).toEqual(Array(5).fill([1, 'root']));
    // A deleted reading is hidden from people who may not see deleted rows.
    const hidden = await api.gql('query ($id: ID!) { reading(id: $id) { id } }', { id: deleted.nodes[0]!.id }, user.accessToken);
    expect(hidden.data).toEqual({ reading: null });

    const restore = await change('restoreReadings', { filter: { deviceCode: 'DEL' } }, admin.accessToken);
    expect(restore.affected).toBe(5);
    const back = await readings({ deviceCode: 'DEL' }, admin.accessToken);
    expect(back.totalCount).toBe(15);
    expect(back.nodes.filter((n) => n.deviceNumber === 1).map((n) => n.restoredBy)).toEqual(Array(5).fill('root'));
    expect((await deletedReadings({ deviceCode: 'DEL' })).totalCount).toBe(0);
  });

  it('counts only the readings a change actually touched', async () => {
    await seed('CNT', 2, 3);
    expect((await change('deleteReadings', { filter: { deviceCode: 'CNT', deviceNumber: 1 } }, admin.accessToken)).affected).toBe(3);
    // Device 1 is already deleted: deleting the whole code again touches device 2 only.
    expect((await change('deleteReadings', { filter: { deviceCode: 'CNT' } }, admin.accessToken)).affected).toBe(3);
    expect((await change('restoreReadings', { filter: { deviceCode: 'CNT', deviceNumber: 2 } }, admin.accessToken)).affected).toBe(3);
    expect((await change('restoreReadings', { filter: { deviceCode: 'CNT', deviceNumber: 2 } }, admin.accessToken)).affected).toBe(0);
    // Updates leave deleted readings alone.
    expect((await change('updateReadings', { filter: { deviceCode: 'CNT' }, changes: { value: 1 } }, user.accessToken)).affected).toBe(3);
  });

  it('answers a retry with the same idempotencyKey with the first result and applies the change once', async () => {
    await seed('IDEM', 1, 3);
    const args = { filter: { deviceCode: 'IDEM' }, changes: { value: 30 }, key: 'edit-idem-1' };
    const first = await change('updateReadings', args, user.accessToken);
    const messages = await streamMessages();
    const retry = await change('updateReadings', args, user.accessToken);
    expect(retry).toEqual(first);
    expect(first.affected).toBe(3);
    expect(await streamMessages()).toBe(messages);
    const rows = await readings({ deviceCode: 'IDEM' }, user.accessToken);
    expect(rows.nodes.map((n) => [n.value, n.version])).toEqual(Array(3).fill([30, 1]));
    const { rows: results } = await env.db.query('SELECT affected FROM change_results WHERE command_id = $1', [first.commandId]);
    expect(results).toEqual([{ affected: 3 }]);
  });

  it('treats the same idempotencyKey from another user, or without a key, as a new change', async () => {
    await seed('KEYS', 1, 2);
    const args = { filter: { deviceCode: 'KEYS' }, changes: { value: 31 }, key: 'shared-key' };
    const byAlice = await change('updateReadings', args, user.accessToken);
    const byRoot = await change('updateReadings', args, admin.accessToken);
    expect(byRoot.commandId).not.toBe(byAlice.commandId);
    const unkeyed = await change('updateReadings', { ...args, key: null }, user.accessToken);
    expect(unkeyed.commandId).not.toBe(byAlice.commandId);
    expect((await readings({ deviceCode: 'KEYS' }, user.accessToken)).nodes.map((n) => n.version)).toEqual([3, 3]);
  });
});
