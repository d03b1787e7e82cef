import { describe, expect, it } from 'vitest';
import { CoreError } from '../errors.ts';
import { ruleFromInput, type AlarmConditionInput, type AlarmRuleInput } from './service.ts';

const rule = (condition: AlarmConditionInput, extra: Partial<AlarmRuleInput> = {}): AlarmRuleInput => ({ name: 'r', severity: 'WARNING', sensorType: 'temperature', condition, ...extra });

function refusal(input: AlarmRuleInput): { message: string; field: unknown } {
  try {
    ruleFromInput('rule-1', input);
  } catch (error) {
    expect(error).toBeInstanceOf(CoreError);
    return { message: (error as CoreError).message, field: (error as CoreError).details.field };
  }
  throw new Error('the rule was accepted');
}

describe('alarm rule input', () => {
  it('keeps only the fields of its kind, with the LOG_LEVEL defaults filled in', () => {
    expect(ruleFromInput('rule-1', rule({ kind: 'ABOVE', threshold: 30, forReadings: null, forSeconds: 60 }, { deviceCode: 'A', deviceNumber: null }))).toEqual({
      id: 'rule-1',
      name: 'r',
      severity: 'WARNING',
      sensorType: 'temperature',
      deviceCode: 'A',
      condition: { kind: 'ABOVE', threshold: 30, forSeconds: 60 },
    });
    expect(ruleFromInput('rule-2', rule({ kind: 'LOG_LEVEL' }, { sensorType: null })).condition).toEqual({ kind: 'LOG_LEVEL', level: 'error', quietSeconds: 300 });
  });

  it('names the field at fault', () => {
    expect(refusal(rule({ kind: 'NO_DATA' }))).toEqual({ message: 'a NO_DATA rule needs condition.forSeconds', field: 'condition.forSeconds' });
    expect(refusal(rule({ kind: 'BELOW', threshold: 1, percent: 5 }))).toEqual({ message: 'condition.percent does not apply to a BELOW rule (it takes threshold, forReadings, forSeconds)', field: 'condition.percent' });
    expect(refusal(rule({ kind: 'ABOVE', threshold: 1, forReadings: 2, forSeconds: 5 }))).toEqual({ message: 'give condition.forReadings or condition.forSeconds, not both', field: 'condition.forSeconds' });
    expect(refusal(rule({ kind: 'LOST_RATE', percent: 120, windowSeconds: 60 }))).toEqual({ message: 'percent must be between 0 and 100', field: 'condition.percent' });
    expect(refusal(rule({ kind: 'LOST_RATE', percent: 5, windowSeconds: 7200 }))).toEqual({ message: 'windowSeconds must be at most 3600 (an hour)', field: 'condition.windowSeconds' });
    expect(refusal(rule({ kind: 'LOG_LEVEL', level: 'warning' }, { sensorType: null }))).toEqual({ message: 'condition.level must be one of error, critical', field: 'condition.level' });
    expect(refusal(rule({ kind: 'LOG_LEVEL' }))).toEqual({ message: 'a LOG_LEVEL rule watches devices, not a sensor type: leave sensorType out', field: 'sensorType' });
    expect(refusal(rule({ kind: 'ABOVE', threshold: 1 }, { sensorType: 'wind' }))).toEqual({ message: 'sensorType must be one of temperature, humidity, pressure, co2, light', field: 'sensorType' });
    expect(refusal(rule({ kind: 'ABOVE', threshold: 1 }, { deviceCode: 'a1' }))).toEqual({ message: 'deviceCode must be 1–20 capital letters A–Z', field: 'deviceCode' });
    expect(refusal(rule({ kind: 'ABOVE', threshold: 1 }, { name: '   ' }))).toEqual({ message: 'name must be 1–200 characters', field: 'name' });
  });
});
