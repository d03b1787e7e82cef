/**
 * Issue #7: two projector processes run against the same stream and database while a
 * simulator publishes and edits arrive; the one applying is SIGKILLed twice and a new one
 * started each time. They coordinate (one applies, the other waits on the leadership
 * lock), so nothing is applied twice: every edit bumps `version` once, and the read
 * model equals the stream and a fresh rebuild.
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

let servers: FaultServers;
const processes = new Processes();

beforeAll(async () => {
  // Nothing is done to the servers here: the shared ones, in a database and stream of this file's own.
  servers = await startFaultServers({ nats: false, postgres: false });
});

afterAll(async () => {
  await processes.killAll();
  await servers?.destroy();
});

describe('two projector processes on one stream', () => {
  it('applies nothing twice while two run at once and the leader is killed twice', async () => {
    onTestFailed(() => console.log(processes.report()));
    const { env } = servers;
    const database = new URL(env.databaseUrl).pathname.slice(1);
    const startProjector = () => startProjectorProcess(processes, env, { PROJECTOR_BATCH_SIZE: '200' });
    const simulator = startSimulatorProcess(processes, env, { type: 'co2', devices: 50, intervalMs: 50, seed: 31 });
    let projectors: ServiceProcess[] = [startProjector(), startProjector()];

    // Watch the leadership lock all along: never more than one projector holds it.
    const holders: number[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const result = await env.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'projector' AND a.datname = $1`,
          [database],
        );
        holders.push(result.rows[0]!.n);
        await sleep(50);
      }
    })();

    const js = jetstream(env.nc);
    let last = 0;
    for (let round = 0; round < 3; round++) {
      last = await waitFor(async () => {
        const now = await checkpointOf(env.db, env.names.stream);
        return now > last && now;
      }, 'a projector to make progress', 60_000, 50);
      // Edits among the readings: applied twice, they would bump `version` twice.
      const devices = await env.db.query<{ device_code: string; device_number: number }>('SELECT DISTINCT device_code, device_number FROM readings ORDER BY 1, 2 LIMIT 5');
      await publishEvents(js, env.names, devices.rows.map((d, k) => change('ReadingsEdited', { deviceCode: d.device_code, deviceNumber: d.device_number }, { changes: { value: 400 + 10 * round + k } })));
      if (round === 2) break;
      await sleep(Math.random() * 300);
      // Kill the one that leads (it said so in its log), and start another to stand by.
      const leader = await waitFor(() => projectors.find((p) => logLines(p, 'projecting as leader').length > 0), 'a projector to lead', 30_000, 50);
      await leader.kill('SIGKILL');
      projectors = [...projectors.filter((p) => p !== leader), startProjector()];
    }
    expect(await simulator.kill('SIGTERM')).toBe(0);
    await waitForCatchUp(env, 60_000);
    watching = false;
    await watch;
    expect(projectors.map((p) => p.child.exitCode)).toEqual([null, null]);
    for (const p of projectors) expect(await p.kill('SIGTERM')).toBe(0);

    // One leader at a time, and both kinds of moment were seen: a leader, and (between kills) none.
    expect(Math.max(...holders)).toBe(1);
    expect(holders.filter((n) => n === 1).length).toBeGreaterThan(0);

    const events = await readStreamEvents(env.nc, env.names.stream, env.names.prefix);
    const expected = expectedReadings(events);
    expect(expected.filter((r) => r.version > 0).length).toBeGreaterThan(0);
    expect(compareWithStream(expected, await readingRows(env.db))).toEqual({ lost: [], duplicated: [], extra: [], different: [], differentCount: 0, rows: expected.length });
    const results = await env.db.query<{ n: number }>('SELECT count(*)::int AS n FROM change_results');
    expect(results.rows[0]!.n).toBe(events.filter((e) => e.event.type === 'ReadingsEdited').length);
    const { live, rebuilt } = await liveAndRebuiltChecksums(env);
    expect(rebuilt).toBe(live);
  });
});
