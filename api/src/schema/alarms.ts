/** Alarms in GraphQL: rules (admins define them), alarms (filtered, paged), acknowledge, clear, alarmChanged. */
import { ALARM_CONDITION_KINDS, ALARM_SEVERITIES, ALARM_STATUSES, type AlarmCondition } from '../../../schema/src/alarms.ts';
import { SENSOR_TYPES } from '../../../schema/src/sensors.ts';
import { builder } from '../builder.ts';
import { alarmHistory, encodeAlarmCursor, findAlarmRule, type AlarmHistoryRow, type AlarmRow, type AlarmRuleRow } from '../core/alarms/queries.ts';
import { badInput } from '../core/errors.ts';
import { alarmChanged, type AlarmChange } from '../live/alarms.ts';

const SeverityEnum = builder.enumType('AlarmSeverity', { values: ALARM_SEVERITIES });
const StatusEnum = builder.enumType('AlarmStatus', {
  values: ALARM_STATUSES,
  description: 'ACTIVE: raised, not acknowledged; ACKNOWLEDGED: someone took it on, still active; CLEARED: over. As a filter, ACTIVE means every alarm not cleared.',
});
const KindEnum = builder.enumType('AlarmConditionKind', {
  values: ALARM_CONDITION_KINDS,
  description:
    'ABOVE/BELOW: value past `threshold` for `forReadings` consecutive readings (default 1) or for `forSeconds`; NO_DATA: no reading for `forSeconds`; LOST_RATE: more than `percent` % of numbered readings lost in the last `windowSeconds`; LOG_LEVEL: the device logged a line at `level` (error, the default, or critical) or worse; clears after `quietSeconds` (default 300) without one.',
});
const HistoryKindEnum = builder.enumType('AlarmHistoryKind', { values: ['RAISED', 'ACKNOWLEDGED', 'CLEARED'] as const });

const ConditionType = builder.objectRef<AlarmCondition>('AlarmCondition').implement({
  fields: (t) => ({
    kind: t.field({ type: KindEnum, resolve: (c) => c.kind }),
    threshold: t.float({ nullable: true, resolve: (c) => ('threshold' in c ? c.threshold : null) }),
    forReadings: t.int({ nullable: true, resolve: (c) => ('forReadings' in c ? (c.forReadings ?? null) : null) }),
    forSeconds: t.int({ nullable: true, resolve: (c) => ('forSeconds' in c ? (c.forSeconds ?? null) : null) }),
    percent: t.float({ nullable: true, resolve: (c) => ('percent' in c ? c.percent : null) }),
    windowSeconds: t.int({ nullable: true, resolve: (c) => ('windowSeconds' in c ? c.windowSeconds : null) }),
    level: t.string({ nullable: true, resolve: (c) => ('level' in c ? c.level : null) }),
    quietSeconds: t.int({ nullable: true, resolve: (c) => ('quietSeconds' in c ? c.quietSeconds : null) }),
  }),
});

const AlarmRuleType = builder.objectRef<AlarmRuleRow>('AlarmRule').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    sensorType: t.exposeString('sensorType', { nullable: true }),
    deviceCode: t.exposeString('deviceCode', { nullable: true, description: 'Only this device code (with deviceNumber: one device); null for every device.' }),
    deviceNumber: t.exposeInt('deviceNumber', { nullable: true }),
    severity: t.field({ type: SeverityEnum, resolve: (r) => r.severity }),
    condition: t.field({ type: ConditionType, resolve: (r) => r.condition }),
    createdBy: t.exposeString('createdBy'),
    createdAt: t.field({ type: 'DateTime', resolve: (r) => r.createdAt }),
    updatedBy: t.exposeString('updatedBy'),
    updatedAt: t.field({ type: 'DateTime', resolve: (r) => r.updatedAt }),
  }),
});

const HistoryType = builder.objectRef<AlarmHistoryRow>('AlarmHistoryEntry').implement({
  fields: (t) => ({
    position: t.exposeString('position', { description: 'Where in the event stream this happened (`<sequence>:<n>`).' }),
    kind: t.field({ type: HistoryKindEnum, resolve: (h) => h.kind }),
    at: t.field({ type: 'DateTime', resolve: (h) => h.at }),
    actor: t.exposeString('actor', { nullable: true, description: 'Who acknowledged or cleared it; null when the platform raised or cleared it.' }),
    detail: t.exposeString('detail', { nullable: true }),
  }),
});

const AlarmType = builder.objectRef<AlarmRow>('Alarm').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    ruleId: t.exposeString('ruleId'),
    ruleName: t.exposeString('ruleName'),
    rule: t.field({ type: AlarmRuleType, nullable: true, description: 'Null once the rule was deleted.', resolve: (a, _args, ctx) => findAlarmRule(ctx.services.db, a.ruleId) }),
    severity: t.field({ type: SeverityEnum, resolve: (a) => a.severity }),
    status: t.field({ type: StatusEnum, resolve: (a) => a.status }),
    conditionKind: t.field({ type: KindEnum, resolve: (a) => a.conditionKind as AlarmCondition['kind'] }),
    sensorType: t.exposeString('sensorType', { nullable: true }),
    deviceCode: t.exposeString('deviceCode'),
    deviceNumber: t.exposeInt('deviceNumber'),
    raisedAt: t.field({ type: 'DateTime', resolve: (a) => a.raisedAt }),
    raisedSequence: t.string({ description: 'Stream sequence of the event that raised it.', resolve: (a) => String(a.raisedSequence) }),
    value: t.exposeFloat('value', { nullable: true, description: 'The reading value that raised it (ABOVE/BELOW).' }),
    detail: t.exposeString('detail'),
    acknowledgedAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.acknowledgedAt }),
    acknowledgedBy: t.exposeString('acknowledgedBy', { nullable: true }),
    acknowledgeComment: t.exposeString('acknowledgeComment', { nullable: true }),
    clearedAt: t.field({ type: 'DateTime', nullable: true, resolve: (a) => a.clearedAt }),
    clearedBy: t.exposeString('clearedBy', { nullable: true, description: 'The admin who cleared it; null when it cleared by itself.' }),
    clearDetail: t.exposeString('clearDetail', { nullable: true }),
    history: t.field({ type: [HistoryType], resolve: (a, _args, ctx) => alarmHistory(ctx.services.db, a.id) }),
  }),
});

const AlarmFilter = builder.inputType('AlarmFilter', {
  fields: (t) => ({
    status: t.field({ type: StatusEnum }),
    severity: t.field({ type: SeverityEnum }),
    deviceCode: t.string(),
    deviceNumber: t.int(),
    ruleId: t.string(),
  }),
});

const ConditionInput = builder.inputType('AlarmConditionInput', {
  fields: (t) => ({
    kind: t.field({ type: KindEnum, required: true }),
    threshold: t.float(),
    forReadings: t.int(),
    forSeconds: t.int(),
    percent: t.float(),
    windowSeconds: t.int(),
    level: t.string({ description: 'LOG_LEVEL: error (default) or critical.' }),
    quietSeconds: t.int(),
  }),
});

const RuleInput = builder.inputType('AlarmRuleInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    severity: t.field({ type: SeverityEnum, required: true }),
    sensorType: t.string({ description: `${SENSOR_TYPES.join(', ')}; required except for LOG_LEVEL rules.` }),
    deviceCode: t.string(),
    deviceNumber: t.int(),
    condition: t.field({ type: ConditionInput, required: true }),
  }),
});

builder.queryFields((t) => ({
  alarmRules: t.field({
    type: [AlarmRuleType],
    authScopes: { permission: 'readAlarms' },
    resolve: (_r, _a, ctx) => ctx.services.alarms.listRules(ctx.caller),
  }),
  alarms: t.connection(
    {
      type: AlarmType,
      authScopes: { permission: 'readAlarms' },
      description: 'Alarms, newest first.',
      args: { filter: t.arg({ type: AlarmFilter }) },
      resolve: async (_r, args, ctx) => {
        if (args.last != null || args.before != null) throw badInput('alarms are paged forward: use first/after', 'last');
        const page = await ctx.services.alarms.listAlarms(ctx.caller, args.filter ?? {}, args);
        const cursors = page.rows.map(encodeAlarmCursor);
        return {
          edges: page.rows.map((node, i) => ({ node, cursor: cursors[i]! })),
          pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: page.hasPreviousPage, startCursor: cursors[0] ?? null, endCursor: cursors.at(-1) ?? null },
          totalCount: page.totalCount,
        };
      },
    },
    {
      name: 'AlarmConnection',
      fields: (c) => ({ totalCount: c.int({ resolve: (connection) => (connection as unknown as { totalCount: number }).totalCount }) }),
    },
  ),
  alarm: t.field({
    type: AlarmType,
    nullable: true,
    authScopes: { permission: 'readAlarms' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.alarms.alarm(ctx.caller, String(args.id)),
  }),
}));

builder.mutationFields((t) => ({
  createAlarmRule: t.field({
    type: AlarmRuleType,
    authScopes: { permission: 'manageAlarmRules' },
    description: 'Defines a rule (an event in the stream); it applies to readings recorded from then on. Returns once the alarm projector has it.',
    args: { rule: t.arg({ type: RuleInput, required: true }), idempotencyKey: t.arg.string() },
    resolve: (_r, args, ctx) => ctx.services.alarms.defineRule(ctx.caller, args.rule, null, args.idempotencyKey),
  }),
  updateAlarmRule: t.field({
    type: AlarmRuleType,
    authScopes: { permission: 'manageAlarmRules' },
    description: 'Replaces a rule. If it changed, its open alarms are cleared and it starts afresh.',
    args: { id: t.arg.id({ required: true }), rule: t.arg({ type: RuleInput, required: true }) },
    resolve: (_r, args, ctx) => ctx.services.alarms.defineRule(ctx.caller, args.rule, String(args.id)),
  }),
  deleteAlarmRule: t.boolean({
    authScopes: { permission: 'manageAlarmRules' },
    description: 'Deletes a rule; its open alarms are cleared. Alarms it raised stay in the history.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.alarms.deleteRule(ctx.caller, String(args.id)),
  }),
  acknowledgeAlarm: t.field({
    type: AlarmType,
    authScopes: { permission: 'acknowledgeAlarms' },
    description: 'Records that you took the alarm on (with an optional comment). It stays active until its condition ends or an admin clears it.',
    args: { id: t.arg.id({ required: true }), comment: t.arg.string() },
    resolve: (_r, args, ctx) => ctx.services.alarms.acknowledge(ctx.caller, String(args.id), args.comment),
  }),
  clearAlarm: t.field({
    type: AlarmType,
    authScopes: { permission: 'clearAlarms' },
    description: 'Ends an alarm by hand (admins). Its condition must then hold anew to raise another.',
    args: { id: t.arg.id({ required: true }), comment: t.arg.string() },
    resolve: (_r, args, ctx) => ctx.services.alarms.clear(ctx.caller, String(args.id), args.comment),
  }),
}));

const AlarmChangeType = builder.objectRef<AlarmChange>('AlarmChange').implement({
  fields: (t) => ({
    position: t.exposeString('position', { description: 'Pass as afterPosition to resume after this change.' }),
    kind: t.field({ type: HistoryKindEnum, resolve: (c) => c.kind }),
    at: t.field({ type: 'DateTime', resolve: (c) => c.at }),
    actor: t.exposeString('actor', { nullable: true }),
    detail: t.exposeString('detail', { nullable: true }),
    alarm: t.field({ type: AlarmType, resolve: (c) => c.alarm }),
  }),
});

const AlarmChangeFilter = builder.inputType('AlarmChangeFilter', {
  fields: (t) => ({ severity: t.field({ type: SeverityEnum }), deviceCode: t.string(), deviceNumber: t.int(), ruleId: t.string() }),
});

builder.subscriptionFields((t) => ({
  alarmChanged: t.field({
    type: AlarmChangeType,
    authScopes: { permission: 'readAlarms' },
    description: 'Alarms raised, acknowledged and cleared, as they happen. With afterPosition, first every change recorded after it: no gap, no duplicate.',
    args: { filter: t.arg({ type: AlarmChangeFilter }), afterPosition: t.arg.string() },
    subscribe: (_root, args, ctx) =>
      alarmChanged(
        ctx.services.live,
        ctx.services.alarmFeed,
        ctx.services.db,
        { caller: ctx.caller!, expiresAt: ctx.expiresAt },
        {
          severity: args.filter?.severity ?? undefined,
          deviceCode: args.filter?.deviceCode ?? undefined,
          deviceNumber: args.filter?.deviceNumber ?? undefined,
          ruleId: args.filter?.ruleId ?? undefined,
        },
        args.afterPosition ?? null,
      ),
    resolve: (change) => change,
  }),
}));
