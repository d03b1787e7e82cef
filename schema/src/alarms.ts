/**
 * Alarms: the contract between the API (which appends rule changes, acknowledgements and
 * manual clears), the alarm projector (which evaluates rules over the stream) and readers.
 *
 * Events in the domain stream, on `<prefix>.alarm.…`:
 * - `AlarmRuleDefined` / `AlarmRuleDeleted` (admins): rules are human changes, so they are events;
 * - `AlarmAcknowledged` (users) and `AlarmCleared` (admins): the human steps of an alarm's life;
 * - `DeviceErrorLogged`: an error (or worse) log line of a device that a LOG_LEVEL rule watches,
 *   copied from the expiring log stream into the domain stream so that the alarm it raises can be
 *   replayed (see projector/src/alarms/log-watch.ts).
 *
 * An alarm being raised or cleared automatically is NOT an event of its own: it is a decision
 * that follows from the events before it (readings, rules, commands, log errors), so the alarm
 * projector derives it again, identically, on every replay. Its lifecycle (raised, acknowledged,
 * cleared) is recorded as rows of the `alarm_history` table, each at the stream position that
 * caused it.
 */
import { z } from 'zod';
import { LOG_LEVELS } from './logs.ts';
import { DEVICE_CODE_PATTERN, DEVICE_NUMBER_MAX, SENSOR_TYPES } from './sensors.ts';

export const ALARM_SEVERITIES = ['INFO', 'WARNING', 'CRITICAL'] as const;
export type AlarmSeverity = (typeof ALARM_SEVERITIES)[number];

export const ALARM_CONDITION_KINDS = ['ABOVE', 'BELOW', 'NO_DATA', 'LOST_RATE', 'LOG_LEVEL'] as const;
export type AlarmConditionKind = (typeof ALARM_CONDITION_KINDS)[number];

export const ALARM_STATUSES = ['ACTIVE', 'ACKNOWLEDGED', 'CLEARED'] as const;
export type AlarmStatus = (typeof ALARM_STATUSES)[number];

/** Log levels a LOG_LEVEL rule may watch for: error, or only critical. */
export const ALARM_LOG_LEVELS = ['error', 'critical'] as const satisfies readonly (typeof LOG_LEVELS)[number][];

const MAX_SECONDS = 30 * 86_400;
const seconds = (what: string) =>
  z.number({ error: `${what} must be a number of seconds` }).int(`${what} must be whole seconds`).min(1, `${what} must be at least 1 second`).max(MAX_SECONDS, `${what} must be at most 30 days`);

/**
 * What makes an alarm rise and clear:
 * - ABOVE / BELOW: the value is above (below) `threshold` for `forReadings` consecutive readings
 *   (default 1), or for `forSeconds` (from the first reading past it to the current one); it clears
 *   at the first reading back on the right side;
 * - NO_DATA: no reading of the type from the device for `forSeconds`; clears at its next reading;
 * - LOST_RATE: more than `percent` % of the readings the device numbered (`seq`) in the last
 *   `windowSeconds` never arrived; clears when the rate is back at or under `percent`;
 * - LOG_LEVEL: the device logged a line at `level` or worse; clears after `quietSeconds` without one.
 */
export const alarmConditionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ABOVE'), threshold: z.number().finite(), forReadings: z.number().int().min(1).max(100_000).optional(), forSeconds: seconds('forSeconds').optional() }).strict(),
  z.object({ kind: z.literal('BELOW'), threshold: z.number().finite(), forReadings: z.number().int().min(1).max(100_000).optional(), forSeconds: seconds('forSeconds').optional() }).strict(),
  z.object({ kind: z.literal('NO_DATA'), forSeconds: seconds('forSeconds') }).strict(),
  // The window's readings are kept (and saved with each batch): at most an hour of them.
  z.object({ kind: z.literal('LOST_RATE'), percent: z.number().min(0, 'percent must be between 0 and 100').max(100, 'percent must be between 0 and 100'), windowSeconds: seconds('windowSeconds').max(3600, 'windowSeconds must be at most 3600 (an hour)') }).strict(),
  z.object({ kind: z.literal('LOG_LEVEL'), level: z.enum(ALARM_LOG_LEVELS), quietSeconds: seconds('quietSeconds') }).strict(),
]);
export type AlarmCondition = z.infer<typeof alarmConditionSchema>;

const deviceCode = z.string().regex(DEVICE_CODE_PATTERN, 'deviceCode must be 1–20 capital letters A–Z');
const deviceNumber = z.number().int().min(1).max(DEVICE_NUMBER_MAX);

export const alarmRuleSchema = z
  .object({
    id: z.string().min(1).max(100),
    name: z.string().min(1).max(200),
    /** Required, except for LOG_LEVEL rules (log lines have no sensor type). */
    sensorType: z.enum(SENSOR_TYPES, { error: `sensorType must be one of ${SENSOR_TYPES.join(', ')}` }).optional(),
    deviceCode: deviceCode.optional(),
    deviceNumber: deviceNumber.optional(),
    severity: z.enum(ALARM_SEVERITIES),
    condition: alarmConditionSchema,
  })
  .strict();
export type AlarmRule = z.infer<typeof alarmRuleSchema>;

/** Why a rule cannot be used, or null when it can: the same check for the API and the projector. */
export function alarmRuleProblem(rule: Pick<AlarmRule, 'sensorType' | 'condition'>): { field: string; message: string } | null {
  const c = rule.condition;
  if (c.kind === 'LOG_LEVEL') {
    return rule.sensorType === undefined ? null : { field: 'sensorType', message: 'a LOG_LEVEL rule watches devices, not a sensor type: leave sensorType out' };
  }
  if (rule.sensorType === undefined) return { field: 'sensorType', message: `a ${c.kind} rule needs a sensorType` };
  if ((c.kind === 'ABOVE' || c.kind === 'BELOW') && c.forReadings !== undefined && c.forSeconds !== undefined) {
    return { field: 'condition.forSeconds', message: 'give condition.forReadings or condition.forSeconds, not both' };
  }
  return null;
}

const envelope = {
  version: z.literal(1),
  id: z.string().min(1).max(200),
  occurredAt: z.iso.datetime({ offset: true, error: 'must be an RFC 3339 time with an offset' }),
};
const human = { ...envelope, actor: z.string().min(1).max(200) };
const commandId = z.string().min(1).max(200);

export const alarmRuleDefinedSchema = z.object({
  type: z.literal('AlarmRuleDefined'),
  ...human,
  data: z.object({ commandId, rule: alarmRuleSchema }),
});

export const alarmRuleDeletedSchema = z.object({
  type: z.literal('AlarmRuleDeleted'),
  ...human,
  data: z.object({ commandId, ruleId: z.string().min(1).max(100) }),
});

export const alarmAcknowledgedSchema = z.object({
  type: z.literal('AlarmAcknowledged'),
  ...human,
  data: z.object({ commandId, alarmId: z.string().min(1).max(200), comment: z.string().max(1000).optional() }),
});

export const alarmClearedSchema = z.object({
  type: z.literal('AlarmCleared'),
  ...human,
  data: z.object({ commandId, alarmId: z.string().min(1).max(200), comment: z.string().max(1000).optional() }),
});

export const deviceErrorLoggedSchema = z.object({
  type: z.literal('DeviceErrorLogged'),
  ...envelope,
  actor: z.string().min(1).max(200).optional(),
  data: z.object({
    deviceCode,
    deviceNumber,
    level: z.enum(LOG_LEVELS),
    message: z.string().max(4000),
    /** Where the line was in the log stream (which expires; this copy stays). */
    logSequence: z.number().int().min(1),
  }),
});

export const ALARM_EVENT_SCHEMAS = [alarmRuleDefinedSchema, alarmRuleDeletedSchema, alarmAcknowledgedSchema, alarmClearedSchema, deviceErrorLoggedSchema] as const;

export type AlarmRuleDefined = z.infer<typeof alarmRuleDefinedSchema>;
export type AlarmRuleDeleted = z.infer<typeof alarmRuleDeletedSchema>;
export type AlarmAcknowledged = z.infer<typeof alarmAcknowledgedSchema>;
export type AlarmCleared = z.infer<typeof alarmClearedSchema>;
export type DeviceErrorLogged = z.infer<typeof deviceErrorLoggedSchema>;
export type AlarmEvent = AlarmRuleDefined | AlarmRuleDeleted | AlarmAcknowledged | AlarmCleared | DeviceErrorLogged;
export const ALARM_EVENT_TYPES = ['AlarmRuleDefined', 'AlarmRuleDeleted', 'AlarmAcknowledged', 'AlarmCleared', 'DeviceErrorLogged'] as const satisfies readonly AlarmEvent['type'][];

export const alarmSubjects = {
  rule: (prefix: string, kind: 'defined' | 'deleted') => `${prefix}.alarm.rule.${kind}`,
  command: (prefix: string, kind: 'acknowledged' | 'cleared') => `${prefix}.alarm.${kind}`,
  errorLogged: (prefix: string, deviceCode: string, deviceNumber: number) => `${prefix}.alarm.logged.${deviceCode}.${deviceNumber}`,
  /** What the domain stream captures for alarms. */
  streamSubject: (prefix: string) => `${prefix}.alarm.>`,
};

export function alarmEventSubject(prefix: string, event: AlarmEvent): string {
  switch (event.type) {
    case 'AlarmRuleDefined':
      return alarmSubjects.rule(prefix, 'defined');
    case 'AlarmRuleDeleted':
      return alarmSubjects.rule(prefix, 'deleted');
    case 'AlarmAcknowledged':
      return alarmSubjects.command(prefix, 'acknowledged');
    case 'AlarmCleared':
      return alarmSubjects.command(prefix, 'cleared');
    case 'DeviceErrorLogged':
      return alarmSubjects.errorLogged(prefix, event.data.deviceCode, event.data.deviceNumber);
    default: {
      const unreachable: never = event;
      throw new Error(`no subject for ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Postgres NOTIFY channel on which the alarm projector announces that alarms changed (payload: the newest history position). */
export const ALARM_CHANGED_CHANNEL = 'alarm_changed';
/** The alarm projector's durable consumer of the domain stream. */
export const ALARM_PROJECTOR_CONSUMER = 'projector-alarms';
/** Its durable consumer of the log stream (for LOG_LEVEL rules). */
export const ALARM_LOG_CONSUMER = 'projector-alarm-logs';

export const isAlarmEvent = (event: { type: string }): event is AlarmEvent => (ALARM_EVENT_TYPES as readonly string[]).includes(event.type);
