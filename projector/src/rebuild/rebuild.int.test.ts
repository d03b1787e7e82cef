import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../schema/src/events.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { change, iso, publishEvents, reading, T0 } from '../../../test/support/events.ts';
import type { Projector } from '../projector.ts';
import { readModelChecksum } from '../readings/checksum.ts';
import { LIVE_TABLES } from '../readings/tables.ts';
import { rebuildReadModels } from './rebuild.ts';
import { startProjector } from '../../../test/support/projector.ts';

let env: TestEnv;
let projector: Projector;
const minute = 60_000;

const deviceEvent = (event: Record<string, unknown>) => ({ version: 1, id: randomUUID(), occurredAt: iso(T0 + 1000), ...event }) as DomainEvent;

/** Readings from four devices over an hour, with edits, deletes and restores by filter in between. */
function history(): DomainEvent[] {
  const events: DomainEvent[] = [];
  const codes = ['A', 'B', 'C', 'D'];
  for (let i = 0; i < 240; i++) {
    const deviceCode = codes[i % 4]!;
    events.push(reading({ deviceCode, deviceNumber: 1 + (i % 3), sensorType: i % 2 ? 'humidity' : 'temperature', value: 20 + (i % 17), at: T0 + i * 15_000, seq: 1 + Math.floor(i / 4) }));
    if (i === 40) events.push(change('ReadingsEdited', { deviceCode: 'A' }, { changes: { value: 0 } }));
    if (i === 80) events.push(change('ReadingsDeleted', { deviceCode: 'B', from: iso(T0), to: iso(T0 + 10 * minute) }, { actor: 'admin' }));
    if (i === 120) events.push(change('ReadingsEdited', { sensorType: 'humidity', deviceNumber: 2 }, { changes: { sensorType: 'temperature', value: 99 } }));
    if (i === 150) events.push(change('ReadingsRestored', { deviceCode: 'B', to: iso(T0 + 5 * minute) }, { actor: 'admin' }));
    if (i === 180) events.push(change('ReadingsDeleted', { sensorType: 'temperature' }, { actor: 'admin' }));
    if (i === 200) events.push(change('ReadingsEdited', { deviceCode: 'C' }, { changes: { timestamp: iso(T0 - minute), value: 150.5 } }));
    if (i === 60) events.push(deviceEvent({ type: 'DeviceAnnounced', data: { deviceCode: 'NEW', deviceNumber: 1, sensorType: 'co2' } }));
    if (i === 90) events.push(deviceEvent({ type: 'DeviceCommandIssued', actor: 'admin', data: { commandId: 'sleep-a1', deviceCode: 'A', deviceNumber: 1, command: 'SLEEP' } }));
    if (i === 95) events.push(deviceEvent({ type: 'DeviceCommandIssued', actor: 'admin', data: { commandId: 'iv-b2', deviceCode: 'B', deviceNumber: 2, command: 'SET_INTERVAL', intervalSeconds: 60 } }));
    if (i === 130) events.push(deviceEvent({ type: 'DeviceTargetAssigned', actor: 'admin', data: { commandId: 'target-new', deviceCode: 'NEW', deviceNumber: 1, target: { name: 'roof', latitude: 1.5 } } }));
  }
  return events;
}

beforeAll(async () => {
  env = await createTestEnv();
  // A small batch size cuts the history differently from the rebuild's batches.
  projector = startProjector(env, 7);
});

afterAll(async () => {
  await projector?.stop();
  await env?.cleanup();
});

describe('rebuild', () => {
  it('replays edits, deletes and restores interleaved with readings into tables identical to the live ones', async () => {
    const sequences = await publishEvents(jetstream(env.nc), env.names, history());
    await projector.waitFor(sequences.at(-1)!, 20_000);
    const live = await readModelChecksum(env.db, LIVE_TABLES);
    const counts = await env.db.query(`SELECT count(*)::int AS all, count(*) FILTER (WHERE deleted_at IS NOT NULL)::int AS deleted, count(*) FILTER (WHERE version > 0)::int AS edited FROM readings`);
    // The history must exercise every kind of change, or the comparison proves little.
    expect(counts.rows[0]).toMatchObject({ all: 240 });
    expect(counts.rows[0].deleted).toBeGreaterThan(0);
    expect(counts.rows[0].edited).toBeGreaterThan(0);

    const result = await rebuildReadModels({ databaseUrl: env.databaseUrl, names: env.names, batchSize: 1000, maxFutureMs: 300_000 }, { nc: env.nc });
    expect(result.checksum).toBe(live);
    expect(result.checkpoint).toBe(sequences.at(-1));
  });

  it('keeps the views, indexes and the running projector working after the swap', async () => {
    const before = await env.db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'readings' ORDER BY 1`);
    await rebuildReadModels({ databaseUrl: env.databaseUrl, names: env.names, batchSize: 50, maxFutureMs: 300_000 }, { nc: env.nc });
    const after = await env.db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'readings' ORDER BY 1`);
    expect(after.rows).toEqual(before.rows);
    const [seq] = await publishEvents(jetstream(env.nc), env.names, [reading({ deviceCode: 'AFTER', value: 7 })]);
    await projector.waitFor(seq!, 10_000);
    const active = await env.db.query(`SELECT id::int FROM active_readings WHERE device_code = 'AFTER'`);
    expect(active.rows).toEqual([{ id: seq }]);
    const deleted = await env.db.query(`SELECT count(*)::int AS n FROM deleted_readings`);
    expect(deleted.rows[0].n).toBeGreaterThan(0);
  });

  it('gives the same checksum when run while the projector keeps projecting', async () => {
    const js = jetstream(env.nc);
    const rebuilding = rebuildReadModels({ databaseUrl: env.databaseUrl, names: env.names, batchSize: 20, maxFutureMs: 300_000 }, { nc: env.nc });
    const more = await publishEvents(js, env.names, [
      ...Array.from({ length: 50 }, (_, i) => reading({ deviceCode: 'LIVE', value: i, at: T0 + i * 1000 })),
      change('ReadingsEdited', { deviceCode: 'LIVE' }, { changes: { value: 1 } }),
    ]);
    await rebuilding;
    await projector.waitFor(more.at(-1)!, 10_000);
    const live = await readModelChecksum(env.db, LIVE_TABLES);
    const again = await rebuildReadModels({ databaseUrl: env.databaseUrl, names: env.names, batchSize: 333, maxFutureMs: 300_000 }, { nc: env.nc });
    expect(again.checksum).toBe(live);
    const edited = await env.db.query(`SELECT count(*)::int AS n FROM readings WHERE device_code = 'LIVE' AND value = 1`);
    expect(edited.rows[0].n).toBe(50);
  });
});
