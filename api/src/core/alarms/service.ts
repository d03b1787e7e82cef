/**
 * Alarm rules and alarm commands, transport-free: validate, append the event, wait until the
 * alarm projector has applied it (read-your-writes), answer with what the read model shows.
 */
import { randomBytes } from 'node:crypto';
import {
  ALARM_CONDITION_KINDS,
  ALARM_LOG_LEVELS,
  alarmRuleProblem,
  alarmRuleSchema,
  type AlarmConditionKind,
  type AlarmRule,
  type AlarmSeverity,
} from '../../../../schema/src/alarms.ts';
import type { DomainEvent } from '../../../../schema/src/index.ts';
import type { Principal } from '../auth/roles.ts';
import { appendCommand, commandIdFor, type CommandLog } from '../commands.ts';
import { badInput, CoreError, notFound } from '../errors.ts';
import { requirePermission } from '../permissions.ts';
import { findAlarm, findAlarmCommandResult, findAlarmRule, listAlarmRules, listAlarms, type AlarmFilter, type AlarmRow, type AlarmRuleRow } from './queries.ts';

export interface AlarmConditionInput {
  kind: AlarmConditionKind;
  threshold?: number | null;
  forReadings?: number | null;
  forSeconds?: number | null;
  percent?: number | null;
  windowSeconds?: number | null;
  level?: string | null;
  quietSeconds?: number | null;
}

export interface AlarmRuleInput {
  name: string;
  severity: AlarmSeverity;
  sensorType?: string | null;
  deviceCode?: string | null;
  deviceNumber?: number | null;
  condition: AlarmConditionInput;
}

/** Which condition fields each kind takes (and needs, when marked true). */
const CONDITION_FIELDS: Record<AlarmConditionKind, Partial<Record<Exclude<keyof AlarmConditionInput, 'kind'>, boolean>>> = {
  ABOVE: { threshold: true, forReadings: false, forSeconds: false },
  BELOW: { threshold: true, forReadings: false, forSeconds: false },
  NO_DATA: { forSeconds: true },
  LOST_RATE: { percent: true, windowSeconds: true },
  LOG_LEVEL: { level: false, quietSeconds: false },
};

/** Turns the flat input into a rule, naming the field at fault when it cannot. */
export function ruleFromInput(id: string, input: AlarmRuleInput): AlarmRule {
  const { kind } = input.condition;
  if (!ALARM_CONDITION_KINDS.includes(kind)) throw badInput(`condition.kind must be one of ${ALARM_CONDITION_KINDS.join(', ')}`, 'condition.kind');
  const fields = CONDITION_FIELDS[kind];
  const condition: Record<string, unknown> = { kind };
  for (const [field, value] of Object.entries(input.condition)) {
    if (field === 'kind' || value == null) continue;
    if (!(field in fields)) throw badInput(`condition.${field} does not apply to a ${kind} rule (it takes ${Object.keys(fields).join(', ')})`, `condition.${field}`);
    condition[field] = value;
  }
  for (const [field, required] of Object.entries(fields)) {
    if (required && condition[field] === undefined) throw badInput(`a ${kind} rule needs condition.${field}`, `condition.${field}`);
  }
  if (kind === 'LOG_LEVEL') {
    condition.level ??= 'error';
    condition.quietSeconds ??= 300;
    if (!(ALARM_LOG_LEVELS as readonly string[]).includes(condition.level as string)) throw badInput(`condition.level must be one of ${ALARM_LOG_LEVELS.join(', ')}`, 'condition.level');
  }
  const candidate = {
    id,
    name: input.name.trim(),
    severity: input.severity,
    condition,
    ...(input.sensorType == null ? {} : { sensorType: input.sensorType }),
    ...(input.deviceCode == null ? {} : { deviceCode: input.deviceCode }),
    ...(input.deviceNumber == null ? {} : { deviceNumber: input.deviceNumber }),
  };
  const parsed = alarmRuleSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.');
    const message = issue.message.startsWith('Invalid') || issue.message.startsWith('Too') ? `${field}: ${issue.message}` : issue.message;
    throw badInput(field === 'name' ? 'name must be 1–200 characters' : message, field);
  }
  const problem = alarmRuleProblem(parsed.data);
  if (problem) throw badInput(problem.message, problem.field);
  return parsed.data;
}

export class AlarmService {
  constructor(
    private readonly log: CommandLog,
    private readonly clock: () => number,
  ) {}

  private envelope(caller: Principal, commandId: string) {
    return { version: 1 as const, id: commandId, occurredAt: new Date(this.clock()).toISOString(), actor: caller.username };
  }

  private async append(commandId: string, event: DomainEvent) {
    return appendCommand(this.log, commandId, event, findAlarmCommandResult);
  }

  listRules(caller: Principal | null): Promise<AlarmRuleRow[]> {
    requirePermission(caller, 'readAlarms');
    return listAlarmRules(this.log.db);
  }

  listAlarms(caller: Principal | null, filter: AlarmFilter, page: { first?: number | null; after?: string | null }) {
    requirePermission(caller, 'readAlarms');
    return listAlarms(this.log.db, filter, page);
  }

  async alarm(caller: Principal | null, id: string): Promise<AlarmRow | null> {
    requirePermission(caller, 'readAlarms');
    return findAlarm(this.log.db, id);
  }

  /** Creates a rule (no `id`) or replaces one; a changed rule clears its open alarms and starts afresh. */
  async defineRule(caller: Principal | null, input: AlarmRuleInput, id?: string | null, idempotencyKey?: string | null): Promise<AlarmRuleRow> {
    const principal = requirePermission(caller, 'manageAlarmRules');
    if (id != null && !(await findAlarmRule(this.log.db, id))) throw notFound(`no alarm rule ${id}`);
    const commandId = commandIdFor(principal, `alarm-rule:${id ?? 'new'}`, idempotencyKey);
    // A retried creation (same idempotency key) names the same rule.
    const ruleId = id ?? (idempotencyKey == null ? `rule-${randomBytes(6).toString('hex')}` : `rule-${commandId.slice(5, 17)}`);
    const rule = ruleFromInput(ruleId, input);
    await this.append(commandId, { type: 'AlarmRuleDefined', ...this.envelope(principal, commandId), data: { commandId, rule } });
    const row = await findAlarmRule(this.log.db, ruleId);
    if (!row) throw notFound(`alarm rule ${ruleId} was deleted meanwhile`);
    return row;
  }

  async deleteRule(caller: Principal | null, id: string): Promise<boolean> {
    const principal = requirePermission(caller, 'manageAlarmRules');
    if (!(await findAlarmRule(this.log.db, id))) throw notFound(`no alarm rule ${id}`);
    const commandId = commandIdFor(principal, 'alarm-rule-delete', null);
    const result = await this.append(commandId, { type: 'AlarmRuleDeleted', ...this.envelope(principal, commandId), data: { commandId, ruleId: id } });
    return result.affected > 0;
  }

  private async openAlarm(id: string): Promise<AlarmRow> {
    const alarm = await findAlarm(this.log.db, id);
    if (!alarm) throw notFound(`no alarm ${id}`);
    if (alarm.status === 'CLEARED') throw badInput(`alarm ${id} was already cleared at ${alarm.clearedAt}${alarm.clearedBy ? ` by ${alarm.clearedBy}` : ''}`, 'id');
    return alarm;
  }

  private static comment(comment: string | null | undefined): string | undefined {
    const trimmed = comment?.trim();
    if (trimmed && trimmed.length > 1000) throw badInput('comment must be at most 1000 characters', 'comment');
    return trimmed || undefined;
  }

  async acknowledge(caller: Principal | null, id: string, comment?: string | null): Promise<AlarmRow> {
    const principal = requirePermission(caller, 'acknowledgeAlarms');
    const text = AlarmService.comment(comment);
    const alarm = await this.openAlarm(id);
    if (alarm.status === 'ACKNOWLEDGED') throw badInput(`alarm ${id} was already acknowledged by ${alarm.acknowledgedBy} at ${alarm.acknowledgedAt}`, 'id');
    const commandId = commandIdFor(principal, 'alarm-ack', null);
    const result = await this.append(commandId, {
      type: 'AlarmAcknowledged',
      ...this.envelope(principal, commandId),
      data: { commandId, alarmId: id, ...(text ? { comment: text } : {}) },
    });
    return this.afterCommand(id, result.affected, 'acknowledged');
  }

  async clear(caller: Principal | null, id: string, comment?: string | null): Promise<AlarmRow> {
    const principal = requirePermission(caller, 'clearAlarms');
    const text = AlarmService.comment(comment);
    await this.openAlarm(id);
    const commandId = commandIdFor(principal, 'alarm-clear', null);
    const result = await this.append(commandId, { type: 'AlarmCleared', ...this.envelope(principal, commandId), data: { commandId, alarmId: id, ...(text ? { comment: text } : {}) } });
    return this.afterCommand(id, result.affected, 'cleared');
  }

  /** The alarm after a command; one that changed meanwhile (cleared by itself first) says so. */
  private async afterCommand(id: string, affected: number, what: string): Promise<AlarmRow> {
    const alarm = await findAlarm(this.log.db, id);
    if (!alarm) throw notFound(`no alarm ${id}`);
    if (affected === 0) throw new CoreError('BAD_USER_INPUT', `alarm ${id} could not be ${what}: it is ${alarm.status.toLowerCase()} now`, { field: 'id' });
    return alarm;
  }
}
