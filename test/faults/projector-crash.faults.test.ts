/**
 * Issue #7: the projector is SIGKILLed at random points, again and again, while a
 * simulator process publishes readings and operators' edits arrive. Afterwards the read
 * model must equal the stream: every reading once, every edit applied once, and a fresh
 * rebuild from the stream must give the same tables.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { change, publishEvents } from '../support/events.ts';
import { waitFor, type ServiceProcess } from '../support/processes.ts';
import { startFaultServers, type FaultServers } from './support/servers.ts';
import {
  checkpointOf, compareWithStream, expectedReadings, liveAndRebuiltChecksums, logLines, Processes, readingRows, readStreamEvents,
  startProjectorProcess, startSimulatorProcess, waitForCatchUp,
} from './support/stack.ts';

const KILLS = 5;
let servers: FaultServers;
const processes = new Processes();

beforeAll(async () => {
  servers = await startFaultServers({ nats: true, postgres: true });
});

afterAll(async () => {
  await processes.killAll();
  await servers?.destroy();
});

describe('projector killed while ingesting', () => {
  it(`loses and duplicates nothing when SIGKILLed at random points ${KILLS} times`, async () => {
    onTestFailed(() => console.log(processes.report()));
    const { env } = servers;
    const startProjector = () => startProjectorProcess(processes, env, { PROJECTOR_BATCH_SIZE: '200' });
    // 100 devices every 40 ms: 2,500 readings a second.
    const simulator = startSimulatorProcess(processes, env, { type: 'temperature', devices: 100, intervalMs: 40, seed: 7 });
    let projector: ServiceProcess = startProjector();
    const js = jetstream(env.nc);
    const editCommands: string[] = [];
    const killedAt: number[] = [];
    let last = 0;
    for (let kill = 0; kill < KILLS; kill++) {
      last = await waitFor(async () => {
        const now = await checkpointOf(env.db, env.names.stream);
        return now > last && now;
      }, 'the (re)started projector to make progress', 60_000, 20);
      // An operator's edit lands among the readings; replaying it twice would count twice in `version`.
      const device = await env.db.query<{ device_code: string; device_number: number }>('SELECT device_code, device_number FROM readings ORDER BY id OFFSET $1 LIMIT 1', [kill]);
      const { device_code: deviceCode, device_number: deviceNumber } = device.rows[0]!;
      const edit = change('ReadingsEdited', { deviceCode, deviceNumber }, { changes: { value: 10 + kill } });
      await publishEvents(js, env.names, [edit]);
      if (edit.type === 'ReadingsEdited') editCommands.push(edit.data.commandId);
      await sleep(Math.random() * 400);
      await projector.kill('SIGKILL');
      killedAt.push(await checkpointOf(env.db, env.names.stream));
      projector = startProjector();
    }
    expect(await simulator.kill('SIGTERM')).toBe(0);
    const [stopped] = logLines(simulator, 'simulator stopped; every reading acked');
    const published = (stopped?.stats as { published: number } | undefined)?.published;

    const head = await waitForCatchUp(env, 90_000);
    expect(await projector.kill('SIGTERM')).toBe(0);

    // The kills landed while the projector was working through the stream, not after it had caught up.
    expect(killedAt.every((checkpoint) => checkpoint > 0 && checkpoint < head)).toBe(true);
    expect(new Set(killedAt).size).toBeGreaterThan(1);

    const events = await readStreamEvents(env.nc, env.names.stream, env.names.prefix);
    expect(events).toHaveLength(head);
    expect(events.filter((e) => e.event.type === 'ReadingRecorded')).toHaveLength(published!);
    const expected = expectedReadings(events);
    expect(expected.filter((r) => r.version === 1).length).toBeGreaterThan(0);
    const comparison = compareWithStream(expected, await readingRows(env.db));
    expect(comparison).toEqual({ lost: [], duplicated: [], extra: [], different: [], differentCount: 0, rows: expected.length });

    const results = await env.db.query<{ command_id: string; sequence: string }>('SELECT command_id, sequence FROM change_results ORDER BY sequence');
    const editSequences = events.filter((e) => e.event.type === 'ReadingsEdited').map((e) => String(e.sequence));
    expect(results.rows.map((r) => r.command_id).sort()).toEqual([...editCommands].sort());
    expect(results.rows.map((r) => r.sequence)).toEqual(editSequences);

    const { live, rebuilt } = await liveAndRebuiltChecksums(env);
    expect(rebuilt).toBe(live);
  });
});
