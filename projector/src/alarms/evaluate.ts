/**
 * The alarm evaluator: a pure fold of stream events into alarm decisions.
 *
 *   (state, positioned event) → state', [decisions]
 *
 * It reads no wall clock and no database, so a replay of the same stream from the same state
 * makes the same decisions at the same positions, however the events are cut into batches.
 *
 * Time. The evaluator's clock is the newest event time (`occurredAt`) seen in the stream: any
 * event from any device advances it; it never goes back. Conditions that depend on time passing
 * without an event of their own ("no data from a device for 10 minutes", "no error logged for
 * 5 minutes") are checked each time that clock enters a new second, so a silent device's alarm
 * rises at the first event (of any device) whose time is at least the deadline: a position in
 * the stream, the same on every replay. The price: when the whole stream is silent, time stands
 * still for alarms too, until the next event arrives.
 *
 * Raised and (automatically) cleared alarms are decisions, not events in the stream: see
 * schema/src/alarms.ts. Alarm ids come from the stream position that raised them
 * (`alarm-<sequence>-<n>`), so they are stable across rebuilds.
 */
import type { AlarmRule, DomainEvent, ReadingRecorded } from '../../../schema/src/index.ts';
import { atLeastLevel } from '../../../schema/src/logs.ts';

/** Evaluation memory of one rule for one device. */
export interface KeyState {
  ruleId: string;
  deviceCode: string;
  deviceNumber: number;
  /** ABOVE/BELOW: consecutive readings past the threshold, and the event time of the first of them. */
  run: number;
  runStartMs: number | null;
  /** NO_DATA: event time of the newest reading; LOG_LEVEL: of the newest error line. */
  lastMs: number | null;
  /** LOST_RATE: (event time, seq) of the readings in the window, oldest first, and the seq just before it. */
  window: [number, number][];
  anchorSeq: number | null;
  /** The alarm this key holds open, if any (raised, perhaps acknowledged, not cleared). */
  alarm: { id: string; acknowledged: boolean } | null;
}

export interface EvaluatorState {
  clockMs: number;
  /** The clock's second at the last time-driven check. */
  checkedSecond: number;
  rules: Map<string, AlarmRule>;
  /** Key: `${ruleId}|${deviceCode}|${deviceNumber}`. */
  keys: Map<string, KeyState>;
  /** Devices told to SLEEP (`${code}|${number}`): their silence is intended. */
  sleeping: Set<string>;
}

export interface RaisedDecision {
  kind: 'RAISED';
  alarmId: string;
  /** Its rank among the alarms the same event raised (the `<n>` of its id). */
  ordinal: number;
  rule: AlarmRule;
  deviceCode: string;
  deviceNumber: number;
  at: string;
  /** The reading value that raised it, for ABOVE/BELOW. */
  value: number | null;
  detail: string;
}
export interface AcknowledgedDecision {
  kind: 'ACKNOWLEDGED';
  alarmId: string;
  at: string;
  actor: string;
  comment: string | null;
}
export interface ClearedDecision {
  kind: 'CLEARED';
  alarmId: string;
  at: string;
  /** Null when cleared automatically. */
  actor: string | null;
  detail: string;
}
export type AlarmDecision = RaisedDecision | AcknowledgedDecision | ClearedDecision;

/** The outcome of a human command (rule change, acknowledgement, manual clear), for read-your-writes. */
export interface CommandOutcome {
  commandId: string;
  eventType: string;
  actor: string;
  affected: number;
  at: string;
}

export interface Evaluation {
  decisions: AlarmDecision[];
  command: CommandOutcome | null;
  /** The rule set changed (defined or deleted): the projection writes it. */
  ruleChanged: { defined: AlarmRule } | { deleted: string } | null;
  /** Keys whose state changed (written back by the projection), and keys gone. */
  touched: Set<string>;
}

export function emptyState(): EvaluatorState {
  return { clockMs: 0, checkedSecond: 0, rules: new Map(), keys: new Map(), sleeping: new Set() };
}

export const keyOf = (ruleId: string, deviceCode: string, deviceNumber: number) => `${ruleId}|${deviceCode}|${deviceNumber}`;
const deviceKey = (deviceCode: string, deviceNumber: number) => `${deviceCode}|${deviceNumber}`;
const iso = (ms: number) => new Date(ms).toISOString();

function newKey(ruleId: string, deviceCode: string, deviceNumber: number): KeyState {
  return { ruleId, deviceCode, deviceNumber, run: 0, runStartMs: null, lastMs: null, window: [], anchorSeq: null, alarm: null };
}

/** Rules in id order: decisions of one event come out in the same order on every replay. */
function sortedRules(state: EvaluatorState): AlarmRule[] {
  return [...state.rules.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function matchesDevice(rule: AlarmRule, deviceCode: string, deviceNumber: number): boolean {
  return (rule.deviceCode === undefined || rule.deviceCode === deviceCode) && (rule.deviceNumber === undefined || rule.deviceNumber === deviceNumber);
}

const describeSeconds = (s: number) => (s % 3600 === 0 ? `${s / 3600} h` : s % 60 === 0 ? `${s / 60} min` : `${s} s`);

class Step {
  readonly decisions: AlarmDecision[] = [];
  readonly touched = new Set<string>();
  private raisedHere = 0;

  constructor(
    private readonly state: EvaluatorState,
    private readonly sequence: number,
  ) {}

  key(ruleId: string, deviceCode: string, deviceNumber: number): KeyState {
    const k = keyOf(ruleId, deviceCode, deviceNumber);
    let key = this.state.keys.get(k);
    if (!key) {
      key = newKey(ruleId, deviceCode, deviceNumber);
      this.state.keys.set(k, key);
    }
    this.touched.add(k);
    return key;
  }

  raise(rule: AlarmRule, key: KeyState, atMs: number, value: number | null, detail: string): void {
    if (key.alarm) return; // raised again while active: the open alarm stands, no duplicate
    const ordinal = this.raisedHere++;
    const alarmId = `alarm-${this.sequence}-${ordinal}`;
    key.alarm = { id: alarmId, acknowledged: false };
    this.decisions.push({ kind: 'RAISED', alarmId, ordinal, rule, deviceCode: key.deviceCode, deviceNumber: key.deviceNumber, at: iso(atMs), value, detail });
  }

  clear(key: KeyState, atMs: number, actor: string | null, detail: string): void {
    if (!key.alarm) return;
    this.decisions.push({ kind: 'CLEARED', alarmId: key.alarm.id, at: iso(atMs), actor, detail });
    key.alarm = null;
  }
}

function evaluateValue(step: Step, rule: AlarmRule & { condition: { kind: 'ABOVE' | 'BELOW' } }, key: KeyState, value: number, atMs: number): void {
  const c = rule.condition;
  const past = c.kind === 'ABOVE' ? value > c.threshold : value < c.threshold;
  const side = c.kind === 'ABOVE' ? 'above' : 'below';
  if (!past) {
    key.run = 0;
    key.runStartMs = null;
    step.clear(key, atMs, null, `value ${value} is no longer ${side} ${c.threshold}`);
    return;
  }
  key.run += 1;
  key.runStartMs ??= atMs;
  if (c.forSeconds !== undefined) {
    if (atMs - key.runStartMs >= c.forSeconds * 1000) {
      step.raise(rule, key, atMs, value, `value ${value} ${side} ${c.threshold} for ${describeSeconds(c.forSeconds)} (since ${iso(key.runStartMs)})`);
    }
  } else if (key.run >= (c.forReadings ?? 1)) {
    const times = (c.forReadings ?? 1) === 1 ? '' : ` for ${c.forReadings} consecutive readings`;
    step.raise(rule, key, atMs, value, `value ${value} ${side} ${c.threshold}${times}`);
  }
}

/**
 * Lost messages in the window: the readings the device numbered after the anchor (the newest
 * one before the window) up to the newest in it, minus those that arrived. A late arrival fills
 * its gap again.
 */
export function lostPercent(key: Pick<KeyState, 'window' | 'anchorSeq'>): number {
  if (key.window.length === 0) return 0;
  const seqs = new Set(key.window.map(([, seq]) => seq));
  let max = -Infinity;
  let min = Infinity;
  for (const seq of seqs) {
    max = Math.max(max, seq);
    min = Math.min(min, seq);
  }
  const from = key.anchorSeq !== null && key.anchorSeq < min ? key.anchorSeq + 1 : min;
  const expected = max - from + 1;
  const lost = Math.max(0, expected - seqs.size);
  return (100 * lost) / expected;
}

function evaluateLost(step: Step, rule: AlarmRule & { condition: { kind: 'LOST_RATE' } }, key: KeyState, seq: number | undefined, atMs: number): void {
  if (seq === undefined) return; // a source that does not number its readings cannot lose any
  const c = rule.condition;
  key.window.push([atMs, seq]);
  const start = atMs - c.windowSeconds * 1000;
  while (key.window.length > 0 && key.window[0]![0] <= start) key.anchorSeq = key.window.shift()![1];
  const percent = lostPercent(key);
  const shown = Math.round(percent * 10) / 10;
  if (percent > c.percent) step.raise(rule, key, atMs, null, `${shown} % of readings lost in the last ${describeSeconds(c.windowSeconds)} (over ${c.percent} %)`);
  else step.clear(key, atMs, null, `lost readings back at ${shown} % (at most ${c.percent} %)`);
}

function onReading(step: Step, state: EvaluatorState, event: ReadingRecorded, atMs: number): void {
  const d = event.data;
  for (const rule of sortedRules(state)) {
    if (rule.sensorType !== d.sensorType || !matchesDevice(rule, d.deviceCode, d.deviceNumber)) continue;
    const key = step.key(rule.id, d.deviceCode, d.deviceNumber);
    switch (rule.condition.kind) {
      case 'ABOVE':
      case 'BELOW':
        evaluateValue(step, rule as AlarmRule & { condition: { kind: 'ABOVE' | 'BELOW' } }, key, d.value, atMs);
        break;
      case 'NO_DATA':
        key.lastMs = Math.max(key.lastMs ?? atMs, atMs);
        step.clear(key, atMs, null, 'data arrived again');
        break;
      case 'LOST_RATE':
        evaluateLost(step, rule as AlarmRule & { condition: { kind: 'LOST_RATE' } }, key, d.seq, atMs);
        break;
      case 'LOG_LEVEL':
        break;
      default: {
        const unreachable: never = rule.condition;
        throw new Error(`unhandled condition ${JSON.stringify(unreachable)}`);
      }
    }
  }
}

/** Conditions that become true by time passing: checked when the clock enters a new second. */
function checkTime(step: Step, state: EvaluatorState): void {
  const second = Math.floor(state.clockMs / 1000);
  if (second <= state.checkedSecond) return;
  state.checkedSecond = second;
  const now = state.clockMs;
  for (const [k, key] of sortedKeys(state)) {
    const rule = state.rules.get(key.ruleId);
    if (!rule || key.lastMs === null) continue;
    const c = rule.condition;
    if (c.kind === 'NO_DATA' && !key.alarm && !state.sleeping.has(deviceKey(key.deviceCode, key.deviceNumber)) && now - key.lastMs >= c.forSeconds * 1000) {
      step.touched.add(k);
      step.raise(rule, key, now, null, `no ${rule.sensorType} reading for ${describeSeconds(c.forSeconds)} (last at ${iso(key.lastMs)})`);
    } else if (c.kind === 'LOG_LEVEL' && key.alarm && now - key.lastMs >= c.quietSeconds * 1000) {
      step.touched.add(k);
      step.clear(key, now, null, `no ${c.level} log line for ${describeSeconds(c.quietSeconds)}`);
    }
  }
}

/** JSON with sorted keys: rules read back from Postgres (jsonb) compare equal to those from events. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Keys in a fixed order (state read back from Postgres comes in another order than it was built in). */
function sortedKeys(state: EvaluatorState): [string, KeyState][] {
  return [...state.keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function keysOfRule(state: EvaluatorState, ruleId: string): [string, KeyState][] {
  return sortedKeys(state).filter(([, key]) => key.ruleId === ruleId);
}

function findAlarm(state: EvaluatorState, alarmId: string): [string, KeyState] | null {
  for (const entry of state.keys) if (entry[1].alarm?.id === alarmId) return entry;
  return null;
}

/**
 * Folds one event into the state (mutated in place) and says what it decided. Events the
 * alarms do not care about only move the clock.
 */
export function evaluate(state: EvaluatorState, sequence: number, event: DomainEvent): Evaluation {
  const step = new Step(state, sequence);
  const atMs = Date.parse(event.occurredAt);
  state.clockMs = Math.max(state.clockMs, atMs);
  let command: CommandOutcome | null = null;
  let ruleChanged: Evaluation['ruleChanged'] = null;
  const outcome = (commandId: string, actor: string, affected: number): CommandOutcome => ({ commandId, eventType: event.type, actor, affected, at: event.occurredAt });

  switch (event.type) {
    case 'ReadingRecorded':
      onReading(step, state, event, atMs);
      break;
    case 'DeviceCommandIssued': {
      const device = deviceKey(event.data.deviceCode, event.data.deviceNumber);
      if (event.data.command === 'SLEEP') {
        state.sleeping.add(device);
        for (const [k, key] of sortedKeys(state)) {
          if (deviceKey(key.deviceCode, key.deviceNumber) !== device || state.rules.get(key.ruleId)?.condition.kind !== 'NO_DATA') continue;
          step.touched.add(k);
          step.clear(key, atMs, null, 'the device was told to sleep');
        }
      } else if (event.data.command === 'WAKE' && state.sleeping.delete(device)) {
        // Silence is counted from the wake-up, not from before the sleep.
        for (const [k, key] of state.keys) {
          if (deviceKey(key.deviceCode, key.deviceNumber) !== device || key.lastMs === null) continue;
          if (state.rules.get(key.ruleId)?.condition.kind !== 'NO_DATA') continue;
          key.lastMs = Math.max(key.lastMs, atMs);
          step.touched.add(k);
        }
      }
      break;
    }
    case 'DeviceErrorLogged': {
      const d = event.data;
      for (const rule of sortedRules(state)) {
        if (rule.condition.kind !== 'LOG_LEVEL' || !matchesDevice(rule, d.deviceCode, d.deviceNumber) || !atLeastLevel(d.level, rule.condition.level)) continue;
        const key = step.key(rule.id, d.deviceCode, d.deviceNumber);
        key.lastMs = Math.max(key.lastMs ?? atMs, atMs);
        step.raise(rule, key, atMs, null, `${d.level}: ${d.message}`);
      }
      break;
    }
    case 'AlarmRuleDefined': {
      const rule = event.data.rule;
      const before = state.rules.get(rule.id);
      // A changed rule starts afresh: what its alarms were raised for may no longer hold.
      const changed = before !== undefined && canonical(before) !== canonical(rule);
      for (const [k, key] of changed ? keysOfRule(state, rule.id) : []) {
        step.clear(key, atMs, event.actor, 'the rule was changed');
        state.keys.delete(k);
        step.touched.add(k);
      }
      state.rules.set(rule.id, rule);
      ruleChanged = { defined: rule };
      command = outcome(event.data.commandId, event.actor, 1);
      break;
    }
    case 'AlarmRuleDeleted': {
      const existed = state.rules.delete(event.data.ruleId);
      for (const [k, key] of keysOfRule(state, event.data.ruleId)) {
        step.clear(key, atMs, event.actor, 'the rule was deleted');
        state.keys.delete(k);
        step.touched.add(k);
      }
      if (existed) ruleChanged = { deleted: event.data.ruleId };
      command = outcome(event.data.commandId, event.actor, existed ? 1 : 0);
      break;
    }
    case 'AlarmAcknowledged': {
      const found = findAlarm(state, event.data.alarmId);
      const open = found && !found[1].alarm!.acknowledged ? found : null;
      if (open) {
        open[1].alarm!.acknowledged = true;
        step.touched.add(open[0]);
        step.decisions.push({ kind: 'ACKNOWLEDGED', alarmId: event.data.alarmId, at: event.occurredAt, actor: event.actor, comment: event.data.comment ?? null });
      }
      command = outcome(event.data.commandId, event.actor, open ? 1 : 0);
      break;
    }
    case 'AlarmCleared': {
      const found = findAlarm(state, event.data.alarmId);
      if (found) {
        const [k, key] = found;
        step.clear(key, atMs, event.actor, event.data.comment ? `cleared by ${event.actor}: ${event.data.comment}` : `cleared by ${event.actor}`);
        // The condition starts afresh: it must hold anew (N more readings, D more silence) to raise again.
        Object.assign(key, { run: 0, runStartMs: null, window: [], anchorSeq: null, lastMs: key.lastMs === null ? null : Math.max(key.lastMs, atMs) });
        step.touched.add(k);
      }
      command = outcome(event.data.commandId, event.actor, found ? 1 : 0);
      break;
    }
    case 'ReadingsEdited':
    case 'ReadingsDeleted':
    case 'ReadingsRestored':
    case 'DeviceAnnounced':
    case 'DeviceTargetAssigned':
      // Alarms judge readings as they arrived; a later edit does not rewrite alarm history.
      break;
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled event ${JSON.stringify(unreachable)}`);
    }
  }
  checkTime(step, state);
  return { decisions: step.decisions, command, ruleChanged, touched: step.touched };
}
