import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../schema/src/log.ts';
import { buildAlarmProjector, type AlarmProjector } from '../../../projector/src/alarms/projector.ts';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { register } from '../../../test/support/accounts.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { publishEvents, reading } from '../../../test/support/events.ts';
import { collectWs, wsClient } from '../../../test/support/live.ts';
import { waitFor } from '../../../test/support/processes.ts';

let env: TestEnv;
let api: ApiStack;
let alarmProjector: AlarmProjector;
let admin: string;
let user: string;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env);
  alarmProjector = buildAlarmProjector(
    { databaseUrl: env.databaseUrl, names: env.names, batchSize: 500, maxFutureMs: 300_000, retryDelayMs: 100 },
    { nc: env.nc, logger: createLogger('alarms-test', process.env.TEST_LOG_LEVEL ?? 'silent') },
  );
  alarmProjector.start();
  admin = (await register(api.gql, 'root')).accessToken;
  user = (await register(api.gql, 'alice')).accessToken;
});

afterAll(async () => {
  await alarmProjector?.stop();
  await api?.stop();
  await env?.cleanup();
});

const RULE = `mutation($rule: AlarmRuleInput!) { createAlarmRule(rule: $rule) { id name sensorType severity createdBy condition { kind threshold forReadings forSeconds } } }`;
const ALARM = `id status severity ruleName deviceCode deviceNumber value detail acknowledgedBy acknowledgeComment clearedBy clearDetail history { kind actor detail }`;
const ACTIVE = `query { alarms(filter: { status: ACTIVE }) { totalCount nodes { id status } } }`;
const ACK = `mutation($id: ID!, $comment: String) { acknowledgeAlarm(id: $id, comment: $comment) { ${ALARM} } }`;
const CLEAR = `mutation($id: ID!, $comment: String) { clearAlarm(id: $id, comment: $comment) { ${ALARM} } }`;

type Alarm = { id: string; status: string; acknowledgedBy: string | null; clearedBy: string | null; history: { kind: string; actor: string | null }[] };
const temperature = (value: number) => reading({ sensorType: 'temperature', value, deviceCode: 'ALM', deviceNumber: 1, at: Date.now() });

async function activeAlarms(token: string): Promise<{ id: string; status: string }[]> {
  const response = await api.gql<{ alarms: { nodes: { id: string; status: string }[] } }>(ACTIVE, {}, token);
  return response.data!.alarms.nodes;
}

describe('alarm rules through GraphQL', () => {
  it('lets admins define rules, refuses users, and names the field at fault', async () => {
    const forbidden = await api.gql(RULE, { rule: { name: 'x', severity: 'INFO', sensorType: 'temperature', condition: { kind: 'ABOVE', threshold: 1 } } }, user);
    expect(forbidden.errors?.[0]).toMatchObject({ message: 'the user role may not manage alarm rules', extensions: { code: 'FORBIDDEN' } });

    const missing = await api.gql(RULE, { rule: { name: 'quiet', severity: 'INFO', sensorType: 'temperature', condition: { kind: 'NO_DATA' } } }, admin);
    expect(missing.errors?.[0]).toMatchObject({ message: 'a NO_DATA rule needs condition.forSeconds', extensions: { code: 'BAD_USER_INPUT', field: 'condition.forSeconds' } });
    const foreign = await api.gql(RULE, { rule: { name: 'quiet', severity: 'INFO', sensorType: 'temperature', condition: { kind: 'NO_DATA', forSeconds: 60, threshold: 3 } } }, admin);
    expect(foreign.errors?.[0]?.message).toBe('condition.threshold does not apply to a NO_DATA rule (it takes forSeconds)');
    const noType = await api.gql(RULE, { rule: { name: 'hot', severity: 'INFO', condition: { kind: 'ABOVE', threshold: 3 } } }, admin);
    expect(noType.errors?.[0]).toMatchObject({ message: 'a ABOVE rule needs a sensorType', extensions: { field: 'sensorType' } });

    const created = await api.gql<{ createAlarmRule: { id: string; createdBy: string; condition: { kind: string; threshold: number; forReadings: number } } }>(
      RULE,
      { rule: { name: 'Lab too hot', severity: 'WARNING', sensorType: 'temperature', deviceCode: 'ALM', condition: { kind: 'ABOVE', threshold: 30, forReadings: 2 } } },
      admin,
    );
    expect(created.data?.createAlarmRule).toMatchObject({ createdBy: 'root', condition: { kind: 'ABOVE', threshold: 30, forReadings: 2 } });
    const listed = await api.gql<{ alarmRules: { name: string }[] }>(`query { alarmRules { name } }`, {}, user);
    expect(listed.data?.alarmRules).toEqual([{ name: 'Lab too hot' }]);
  });

  it('raises an alarm, lets a user acknowledge it and an admin clear it, reports each step live, and raises again after', async () => {
    const client = wsClient(api.url, user);
    const live = collectWs<{ alarmChanged: { position: string; kind: string; actor: string | null; alarm: { id: string; status: string } } }>(
      client,
      `subscription { alarmChanged(filter: { deviceCode: "ALM" }, afterPosition: "0:0") { position kind actor alarm { id status } } }`,
    );
    const js = jetstream(env.nc);
    await publishEvents(js, env.names, [temperature(31), temperature(32)]);
    const [raised] = await waitFor(async () => ((await activeAlarms(user)).length ? activeAlarms(user) : undefined), 'the alarm to rise', 10_000);
    expect(raised!.status).toBe('ACTIVE');

    const scrape = await (await fetch(api.url.replace('/graphql', '/metrics'))).text();
    expect(scrape).toContain('sensors_alarms_active{severity="warning"} 1');

    const ack = await api.gql<{ acknowledgeAlarm: Alarm }>(ACK, { id: raised!.id, comment: 'on my way' }, user);
    expect(ack.data?.acknowledgeAlarm).toMatchObject({ status: 'ACKNOWLEDGED', acknowledgedBy: 'alice', acknowledgeComment: 'on my way' });
    const again = await api.gql(ACK, { id: raised!.id }, user);
    expect(again.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(again.errors?.[0]?.message).toMatch(/^alarm alarm-\d+-0 was already acknowledged by alice at /);

    const byUser = await api.gql(CLEAR, { id: raised!.id }, user);
    expect(byUser.errors?.[0]).toMatchObject({ message: 'the user role may not clear alarms', extensions: { code: 'FORBIDDEN' } });
    const byAdmin = await api.gql<{ clearAlarm: Alarm }>(CLEAR, { id: raised!.id, comment: 'fan replaced' }, admin);
    expect(byAdmin.data?.clearAlarm).toMatchObject({
      status: 'CLEARED',
      clearedBy: 'root',
      clearDetail: 'cleared by root: fan replaced',
      history: [
        { kind: 'RAISED', actor: null },
        { kind: 'ACKNOWLEDGED', actor: 'alice' },
        { kind: 'CLEARED', actor: 'root' },
      ],
    });
    const cleared = await api.gql(ACK, { id: raised!.id }, user);
    expect(cleared.errors?.[0]?.message).toMatch(/was already cleared at .* by root$/);
    const unknown = await api.gql(ACK, { id: 'alarm-999999-0' }, user);
    expect(unknown.errors?.[0]).toMatchObject({ message: 'no alarm alarm-999999-0', extensions: { code: 'NOT_FOUND' } });

    // The condition must hold anew: two readings past 30 raise a second alarm; one under clears it.
    await publishEvents(js, env.names, [temperature(33), temperature(34)]);
    const [second] = await waitFor(async () => ((await activeAlarms(user)).length ? activeAlarms(user) : undefined), 'a second alarm', 10_000);
    expect(second!.id).not.toBe(raised!.id);
    await publishEvents(js, env.names, [temperature(20)]);
    await waitFor(async () => (await activeAlarms(user)).length === 0, 'the second alarm to clear', 10_000);

    await waitFor(() => live.items.length >= 5 || undefined, 'five alarm changes', 10_000);
    client.dispose();
    expect(live.items.map((i) => `${i.alarmChanged.kind}:${i.alarmChanged.actor ?? '-'}:${i.alarmChanged.alarm.id === raised!.id ? 'first' : 'second'}`)).toEqual([
      'RAISED:-:first',
      'ACKNOWLEDGED:alice:first',
      'CLEARED:root:first',
      'RAISED:-:second',
      'CLEARED:-:second',
    ]);

    const page = await api.gql<{ alarms: { totalCount: number; nodes: { id: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string } } }>(
      `query { alarms(first: 1, filter: { severity: WARNING, deviceCode: "ALM" }) { totalCount nodes { id } pageInfo { hasNextPage endCursor } } }`,
      {},
      user,
    );
    expect(page.data?.alarms).toMatchObject({ totalCount: 2, nodes: [{ id: second!.id }], pageInfo: { hasNextPage: true } });
    const next = await api.gql<{ alarms: { nodes: { id: string }[]; pageInfo: { hasNextPage: boolean } } }>(
      `query($after: String) { alarms(first: 1, after: $after) { nodes { id } pageInfo { hasNextPage } } }`,
      { after: page.data!.alarms.pageInfo.endCursor },
      user,
    );
    expect(next.data?.alarms).toEqual({ nodes: [{ id: raised!.id }], pageInfo: { hasNextPage: false } });
    const none = await api.gql<{ alarms: { totalCount: number } }>(`query { alarms(filter: { severity: CRITICAL }) { totalCount } }`, {}, user);
    expect(none.data?.alarms.totalCount).toBe(0);
  });

  it('lets only admins delete a rule', async () => {
    const [rule] = (await api.gql<{ alarmRules: { id: string }[] }>(`query { alarmRules { id } }`, {}, admin)).data!.alarmRules;
    const byUser = await api.gql(`mutation($id: ID!) { deleteAlarmRule(id: $id) }`, { id: rule!.id }, user);
    expect(byUser.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const byAdmin = await api.gql<{ deleteAlarmRule: boolean }>(`mutation($id: ID!) { deleteAlarmRule(id: $id) }`, { id: rule!.id }, admin);
    expect(byAdmin.data?.deleteAlarmRule).toBe(true);
    expect((await api.gql<{ alarmRules: unknown[] }>(`query { alarmRules { id } }`, {}, admin)).data?.alarmRules).toEqual([]);
    const gone = await api.gql(`mutation($id: ID!) { deleteAlarmRule(id: $id) }`, { id: rule!.id }, admin);
    expect(gone.errors?.[0]).toMatchObject({ message: `no alarm rule ${rule!.id}`, extensions: { code: 'NOT_FOUND' } });
  });
});
