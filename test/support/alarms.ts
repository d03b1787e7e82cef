/** Building alarm events in tests, as the API would append them. */
import { randomUUID } from 'node:crypto';
import type { AlarmRule, DomainEvent, LogLevel } from '../../schema/src/index.ts';
import { iso, T0 } from './events.ts';

const human = (at: number, actor: string) => ({ version: 1 as const, id: randomUUID(), occurredAt: iso(at), actor });

export function ruleDefined(rule: Omit<AlarmRule, 'name' | 'severity'> & Partial<Pick<AlarmRule, 'name' | 'severity'>>, options: { at?: number; actor?: string } = {}): DomainEvent {
  return {
    type: 'AlarmRuleDefined',
    ...human(options.at ?? T0, options.actor ?? 'admin'),
    data: { commandId: randomUUID(), rule: { name: rule.name ?? rule.id, severity: rule.severity ?? 'WARNING', ...rule } },
  };
}

export function ruleDeleted(ruleId: string, options: { at?: number; actor?: string } = {}): DomainEvent {
  return { type: 'AlarmRuleDeleted', ...human(options.at ?? T0, options.actor ?? 'admin'), data: { commandId: randomUUID(), ruleId } };
}

export function acknowledged(alarmId: string, options: { at?: number; actor?: string; comment?: string } = {}): DomainEvent {
  return {
    type: 'AlarmAcknowledged',
    ...human(options.at ?? T0, options.actor ?? 'alice'),
    data: { commandId: randomUUID(), alarmId, ...(options.comment ? { comment: options.comment } : {}) },
  };
}

export function cleared(alarmId: string, options: { at?: number; actor?: string; comment?: string } = {}): DomainEvent {
  return {
    type: 'AlarmCleared',
    ...human(options.at ?? T0, options.actor ?? 'admin'),
    data: { commandId: randomUUID(), alarmId, ...(options.comment ? { comment: options.comment } : {}) },
  };
}

export function errorLogged(deviceCode: string, deviceNumber: number, options: { at?: number; level?: LogLevel; message?: string; logSequence?: number } = {}): DomainEvent {
  return {
    type: 'DeviceErrorLogged',
    version: 1,
    id: randomUUID(),
    occurredAt: iso(options.at ?? T0),
    data: { deviceCode, deviceNumber, level: options.level ?? 'error', message: options.message ?? 'sensor fault', logSequence: options.logSequence ?? 1 },
  };
}

export function deviceCommand(deviceCode: string, deviceNumber: number, command: 'SLEEP' | 'WAKE', at = T0): DomainEvent {
  const commandId = randomUUID();
  return { type: 'DeviceCommandIssued', ...human(at, 'admin'), id: commandId, data: { commandId, deviceCode, deviceNumber, command } };
}
