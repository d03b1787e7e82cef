import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALARM_LOG_CONSUMER } from '../../../schema/src/alarms.ts';
import { createLogger } from '../../../schema/src/log.ts';
import { acknowledged, cleared, ruleDefined } from '../../../test/support/alarms.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { publishEvents, reading, T0 } from '../../../test/support/events.ts';
import { publishLogLines } from '../../../test/support/logs.ts';
import { waitFor } from '../../../test/support/processes.ts';
import { buildAlarmProjector, type AlarmProjector } from './projector.ts';
import { alarmChecksum, rebuildAlarms } from './rebuild.ts';

const s = (seconds: number) => T0 + seconds * 1000;
const temperature = (value: number, at: number, deviceNumber = 1) => reading({ sensorType: 'temperature', value, at, deviceCode: 'B', deviceNumber });

let env: TestEnv;
let projector: AlarmProjector;

function startAlarmProjector(batchSize: number): AlarmProjector {
  const p = buildAlarmProjector(
    { databaseUrl: env.databaseUrl, names: env.names, batchSize, maxFutureMs: 300_000, retryDelayMs: 100 },
    { nc: env.nc, logger: createLogger('alarms-test', process.env.TEST_LOG_LEVEL ?? 'silent') },
  );
  p.start();
  return p;
}

async function history(): Promise<string[]> {
  const rows = await env.db.query<{ sequence: string; alarm_id: string; kind: string; actor: string | null }>('SELECT sequence, alarm_id, kind, actor FROM alarm_history ORDER BY sequence, ordinal');
  return rows.rows.map((r) => `${r.sequence}:${r.kind}:${r.alarm_id}${r.actor ? `:${r.actor}` : ''}`);
}

beforeAll(async () => {
  env = await createTestEnv();
  // Small batches: the evaluator's memory goes through Postgres between almost every pair of events.
  projector = startAlarmProjector(2);
});

afterAll(async () => {
  await projector?.stop();
  await env?.cleanup();
});

describe('the alarm projector', () => {
  it('writes alarms and their history at the stream positions that raised, acknowledged and cleared them', async () => {
    const js = jetstream(env.nc);
    const seqs = await publishEvents(js, env.names, [
      ruleDefined({ id: 'hot', name: 'Too hot', sensorType: 'temperature', severity: 'CRITICAL', condition: { kind: 'ABOVE', threshold: 30, forReadings: 2 } }),
      ruleDefined({ id: 'quiet', sensorType: 'temperature', condition: { kind: 'NO_DATA', forSeconds: 60 } }),
      temperature(31, s(0), 1),
      temperature(32, s(10), 1), // 4: hot raised for B-1
      temperature(20, s(20), 2),
      temperature(20, s(70), 2), // 6: B-1 silent 70 s → quiet raised
      temperature(25, s(80), 1), // 7: hot cleared, quiet cleared
    ]);
    await projector.waitFor(seqs.at(-1)!, 10_000);
    const more = await publishEvents(js, env.names, [
      temperature(35, s(90), 1),
      temperature(36, s(100), 1), // 9: hot raised again
      acknowledged('alarm-9-0', { at: s(101), actor: 'alice', comment: 'looking' }),
      cleared('alarm-9-0', { at: s(102), actor: 'root' }),
    ]);
    await projector.waitFor(more.at(-1)!, 10_000);
    expect(await history()).toEqual([
      '4:RAISED:alarm-4-0',
      '6:RAISED:alarm-6-0',
      '7:CLEARED:alarm-4-0',
      '7:CLEARED:alarm-6-0',
      '9:RAISED:alarm-9-0',
      '10:ACKNOWLEDGED:alarm-9-0:alice',
      '11:CLEARED:alarm-9-0:root',
    ]);
    const alarm = await env.db.query('SELECT rule_name, severity, status, device_code, device_number, value, acknowledged_by, acknowledge_comment, cleared_by FROM alarms WHERE id = $1', ['alarm-9-0']);
    expect(alarm.rows[0]).toEqual({ rule_name: 'Too hot', severity: 'CRITICAL', status: 'CLEARED', device_code: 'B', device_number: 1, value: 36, acknowledged_by: 'alice', acknowledge_comment: 'looking', cleared_by: 'root' });
    const results = await env.db.query('SELECT event_type, affected FROM alarm_command_results ORDER BY sequence');
    expect(results.rows.map((r) => `${r.event_type}:${r.affected}`)).toEqual(['AlarmRuleDefined:1', 'AlarmRuleDefined:1', 'AlarmAcknowledged:1', 'AlarmCleared:1']);
  });

  it('a rebuild reproduces the same alarm history, and the live projector carries on from the rebuilt memory', async () => {
    const before = await alarmChecksum(env.db);
    const beforeHistory = await history();
    const result = await rebuildAlarms({ databaseUrl: env.databaseUrl, names: env.names, batchSize: 1000, maxFutureMs: 300_000 }, { nc: env.nc });
    expect(result.checksum).toBe(before);
    expect(result.checkpoint).toBe(11);
    expect(await history()).toEqual(beforeHistory);

    // B-1 is at one reading past 30 after the admin clear; one more raises it (memory from the rebuilt tables).
    const [seq] = await publishEvents(jetstream(env.nc), env.names, [temperature(40, s(110), 1), temperature(41, s(120), 1)]).then((x) => x.slice(1));
    await projector.waitFor(seq!, 10_000);
    expect((await history()).slice(-1)).toEqual(['13:RAISED:alarm-13-0']);
  });

  it('copies the error lines of watched devices from the log stream and raises a LOG_LEVEL alarm from the copy', async () => {
    const jsm = await jetstreamManager(env.nc);
    await waitFor(() => jsm.consumers.info(env.names.logStream, ALARM_LOG_CONSUMER).then(() => true), 'the log watch consumer');
    const [ruleSeq] = await publishEvents(jetstream(env.nc), env.names, [
      ruleDefined({ id: 'faults', severity: 'CRITICAL', deviceCode: 'LOG', condition: { kind: 'LOG_LEVEL', level: 'error', quietSeconds: 300 } }, { at: s(130) }),
    ]);
    await projector.waitFor(ruleSeq!, 10_000);
    await publishLogLines(env.nc, env.names, 'LOG', 1, [
      { level: 'info', message: 'booted' },
      { level: 'error', message: 'probe disconnected' },
    ]);
    await publishLogLines(env.nc, env.names, 'OTHER', 1, [{ level: 'critical', message: 'not watched' }]);
    const raised = await waitFor(async () => {
      const rows = await env.db.query(`SELECT device_code, device_number, severity, detail, raised_sequence FROM alarms WHERE rule_id = 'faults'`);
      return rows.rows[0] as { device_code: string; device_number: number; severity: string; detail: string; raised_sequence: string } | undefined;
    }, 'the LOG_LEVEL alarm', 10_000);
    expect(raised).toMatchObject({ device_code: 'LOG', device_number: 1, severity: 'CRITICAL', detail: 'error: probe disconnected' });
    const copy = await jsm.streams.getMessage(env.names.stream, { seq: Number(raised.raised_sequence) });
    expect(copy?.subject).toBe(`${env.names.prefix}.alarm.logged.LOG.1`);
    // Only the watched device's error was copied, once the watch has handled every line.
    await waitFor(async () => {
      const info = await jsm.consumers.info(env.names.logStream, ALARM_LOG_CONSUMER);
      return info.num_pending === 0 && info.num_ack_pending === 0 && info.delivered.stream_seq === 3;
    }, 'the log watch to handle every line');
    const { state } = await jsm.streams.info(env.names.stream);
    expect(state.last_seq).toBe(Number(raised.raised_sequence));
  });
});
