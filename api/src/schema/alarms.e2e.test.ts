/**
 * Alarms end to end: a simulator process measuring temperatures, the projector process (whose
 * alarm projector evaluates the rules), the API; an admin defines a rule over GraphQL, a user
 * watches alarms rise live, acknowledges them, and sees one clear by itself. Then the readings
 * show that each step happened at the right reading.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { register, type Account } from '../../../test/support/accounts.ts';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { collectWs, wsClient } from '../../../test/support/live.ts';
import { startService, waitFor, type ServiceProcess } from '../../../test/support/processes.ts';

let env: TestEnv;
let api: ApiStack;
let admin: Account;
let user: Account;
const processes: ServiceProcess[] = [];

interface Alarm {
  id: string;
  ruleId: string;
  status: string;
  deviceCode: string;
  deviceNumber: number;
  value: number;
  raisedSequence: string;
  clearedBy: string | null;
  history: { position: string; kind: string; actor: string | null }[];
}
type Change = { alarmChanged: { kind: string; actor: string | null; alarm: { id: string } } };

const ALARM_FIELDS = 'id ruleId status deviceCode deviceNumber value raisedSequence clearedBy history { position kind actor }';

async function gql<T>(token: string, text: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await api.gql<T>(text, variables, token);
  if (!response.data) throw new Error(`request failed: ${JSON.stringify(response.errors)}`);
  return response.data;
}

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env);
  admin = await register(api.gql, 'root');
  user = await register(api.gql, 'operator');
  // The projector process: its alarm projector is the one that evaluates the rules here.
  processes.push(startService('projector/src/main.ts', { ...env.env, PROJECTOR_METRICS_PORT: 'off' }));
  processes.push(startService('simulator/src/main.ts', { ...env.env, SIMULATOR_METRICS_PORT: 'off' }, ['--type', 'temperature', '--devices', '12', '--seed', '7', '--benchmark-interval-ms', '200']));
});

afterAll(async () => {
  for (const child of processes) await child.kill('SIGKILL');
  await api?.stop();
  await env?.cleanup();
});

describe('alarms end to end', () => {
  it('raises alarms when simulated devices cross a threshold, takes an acknowledgement, and clears one when its device falls back', async () => {
    // A rule per device, its threshold at the device's newest value: each crosses it both ways soon.
    const devices = await waitFor(async () => {
      const { devices } = await gql<{ devices: { nodes: { deviceCode: string; deviceNumber: number; latestReadings: { value: number }[] }[] } }>(
        user.accessToken,
        `query { devices(filter: { sensorType: "temperature" }) { nodes { deviceCode deviceNumber latestReadings { value } } } }`,
      );
      return devices.nodes.length === 12 && devices.nodes.every((d) => d.latestReadings.length === 1) ? devices.nodes : undefined;
    }, 'twelve simulated devices');

    const client = wsClient(api.url, user.accessToken);
    const live = collectWs<Change>(client, `subscription { alarmChanged(afterPosition: "0:0") { kind actor alarm { id } } }`);
    const thresholds = new Map<string, number>();
    for (const d of devices) {
      const threshold = d.latestReadings[0]!.value;
      const { createAlarmRule } = await gql<{ createAlarmRule: { id: string } }>(
        admin.accessToken,
        `mutation($c: String!, $n: Int!, $t: Float!) { createAlarmRule(rule: { name: "Warm", severity: WARNING, sensorType: "temperature", deviceCode: $c, deviceNumber: $n, condition: { kind: ABOVE, threshold: $t } }) { id } }`,
        { c: d.deviceCode, n: d.deviceNumber, t: threshold },
      );
      thresholds.set(createAlarmRule.id, threshold);
    }

    // The user acknowledges each alarm as it rises, until one of those clears by itself.
    const acknowledged = new Set<string>();
    const cleared = await waitFor(
      async () => {
        const { alarms: active } = await gql<{ alarms: { nodes: Alarm[] } }>(user.accessToken, `query { alarms(filter: { status: ACTIVE }, first: 100) { nodes { ${ALARM_FIELDS} } } }`);
        for (const alarm of active.nodes.filter((a) => a.status === 'ACTIVE')) {
          const response = await api.gql<{ acknowledgeAlarm: Alarm }>(`mutation($id: ID!) { acknowledgeAlarm(id: $id, comment: "checking") { id } }`, { id: alarm.id }, user.accessToken);
          // An alarm may clear by itself between the listing and the acknowledgement: then it says so.
          if (response.data) acknowledged.add(alarm.id);
          else expect(response.errors?.[0]?.message).toMatch(/already cleared|could not be acknowledged/);
        }
        const { alarms } = await gql<{ alarms: { nodes: Alarm[] } }>(user.accessToken, `query { alarms(filter: { status: CLEARED }, first: 100) { nodes { ${ALARM_FIELDS} } } }`);
        return alarms.nodes.find((a) => acknowledged.has(a.id));
      },
      'an acknowledged alarm to clear by itself',
      60_000,
      250,
    );
    const threshold = thresholds.get(cleared.ruleId)!;
    expect(cleared.clearedBy).toBeNull();
    expect(cleared.history.map((h) => `${h.kind}:${h.actor ?? '-'}`)).toEqual(['RAISED:-', 'ACKNOWLEDGED:operator', 'CLEARED:-']);

    // The readings of that device from the raising one to the clearing one: all above the threshold but the last.
    const raisedAt = Number(cleared.raisedSequence);
    const clearedAt = Number(cleared.history[2]!.position.split(':')[0]);
    const { readings } = await gql<{ readings: { nodes: { id: string; value: number }[] } }>(
      user.accessToken,
      `query($c: String!, $n: Int!) { readings(filter: { deviceCode: $c, deviceNumber: $n, sensorType: "temperature" }, first: 400, order: OLDEST_FIRST) { nodes { id value } } }`,
      { c: cleared.deviceCode, n: cleared.deviceNumber },
    );
    const run = readings.nodes.filter((r) => Number(r.id) >= raisedAt && Number(r.id) <= clearedAt);
    expect(run[0]).toEqual({ id: String(raisedAt), value: cleared.value });
    expect(run.at(-1)!.id).toBe(String(clearedAt));
    expect(run.slice(0, -1).every((r) => r.value > threshold)).toBe(true);
    expect(run.at(-1)!.value).toBeLessThanOrEqual(threshold);

    await waitFor(() => live.items.some((i) => i.alarmChanged.alarm.id === cleared.id && i.alarmChanged.kind === 'CLEARED') || undefined, 'the clear reported live', 10_000);
    client.dispose();
    expect(live.items.filter((i) => i.alarmChanged.alarm.id === cleared.id).map((i) => `${i.alarmChanged.kind}:${i.alarmChanged.actor ?? '-'}`)).toEqual([
      'RAISED:-',
      'ACKNOWLEDGED:operator',
      'CLEARED:-',
    ]);
  });
});
