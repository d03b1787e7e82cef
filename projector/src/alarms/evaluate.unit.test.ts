import { describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../../schema/src/index.ts';
import { acknowledged, cleared, deviceCommand, errorLogged, ruleDefined, ruleDeleted } from '../../../test/support/alarms.ts';
import { reading, T0 } from '../../../test/support/events.ts';
import { emptyState, evaluate, lostPercent, type AlarmDecision, type EvaluatorState } from './evaluate.ts';

const s = (seconds: number) => T0 + seconds * 1000;

interface Step {
  sequence: number;
  decision: AlarmDecision;
}

/** Folds events (sequence = position from 1) and lists every decision with the sequence that made it. */
function run(events: DomainEvent[], state: EvaluatorState = emptyState(), from = 1): { steps: Step[]; state: EvaluatorState; commands: number[] } {
  const steps: Step[] = [];
  const commands: number[] = [];
  events.forEach((event, i) => {
    const result = evaluate(state, from + i, event);
    for (const decision of result.decisions) steps.push({ sequence: from + i, decision });
    if (result.command) commands.push(result.command.affected);
  });
  return { steps, state, commands };
}

/** What the projection keeps between batches, read back as Postgres gives it: via JSON, keys in another order. */
function roundTrip(state: EvaluatorState): EvaluatorState {
  const copy = JSON.parse(JSON.stringify({ ...state, rules: [...state.rules.entries()].reverse(), keys: [...state.keys.entries()].reverse(), sleeping: [...state.sleeping] })) as {
    clockMs: number;
    checkedSecond: number;
    rules: [string, never][];
    keys: [string, never][];
    sleeping: string[];
  };
  return { clockMs: copy.clockMs, checkedSecond: copy.checkedSecond, rules: new Map(copy.rules), keys: new Map(copy.keys), sleeping: new Set(copy.sleeping) };
}

const brief = (steps: Step[]) => steps.map(({ sequence, decision }) => `${sequence}:${decision.kind}:${decision.alarmId}`);
const temperature = (value: number, at: number, deviceNumber = 1, seq?: number) => reading({ sensorType: 'temperature', value, at, deviceCode: 'A', deviceNumber, ...(seq ? { seq } : {}) });

describe('value above a threshold for N consecutive readings', () => {
  it('raises at the Nth reading past the threshold, once, and clears at the first reading back under it', () => {
    const { steps } = run([
      ruleDefined({ id: 'hot', sensorType: 'temperature', condition: { kind: 'ABOVE', threshold: 30, forReadings: 3 } }),
      temperature(31, s(1)), // 2: one past
      temperature(20, s(2)), // 3: the run breaks
      temperature(31, s(3)),
      temperature(32, s(4)),
      temperature(33, s(5)), // 6: third in a row → raised
      temperature(34, s(6)), // 7: still past: no duplicate
      temperature(30, s(7)), // 8: not above 30 → cleared
    ]);
    expect(brief(steps)).toEqual(['6:RAISED:alarm-6-0', '8:CLEARED:alarm-6-0']);
    const raised = steps[0]!.decision;
    expect(raised.kind === 'RAISED' && [raised.value, raised.deviceCode, raised.deviceNumber, raised.at]).toEqual([33, 'A', 1, new Date(s(5)).toISOString()]);
    expect(steps[1]!.decision).toMatchObject({ actor: null, detail: 'value 30 is no longer above 30' });
  });

  it('keeps devices apart and honours a rule narrowed to one device', () => {
    const { steps } = run([
      ruleDefined({ id: 'hot', sensorType: 'temperature', condition: { kind: 'ABOVE', threshold: 30 } }),
      ruleDefined({ id: 'hot-2', sensorType: 'temperature', deviceCode: 'A', deviceNumber: 2, condition: { kind: 'ABOVE', threshold: 25 } }),
      temperature(28, s(1), 1), // 3: under both (rule hot-2 does not cover device 1)
      temperature(28, s(2), 2), // 4: device 2 above 25 → hot-2
      temperature(35, s(3), 2), // 5: device 2 above 30 too → hot
      reading({ sensorType: 'humidity', value: 99, at: s(4), deviceCode: 'A', deviceNumber: 1 }), // other type: ignored
    ]);
    expect(brief(steps)).toEqual(['4:RAISED:alarm-4-0', '5:RAISED:alarm-5-0']);
    expect(steps.map((x) => x.decision.kind === 'RAISED' && x.decision.rule.id)).toEqual(['hot-2', 'hot']);
  });
});

describe('value below a threshold for a duration', () => {
  it('raises once the value has stayed below for the duration, and starts over when the run breaks', () => {
    const { steps } = run([
      ruleDefined({ id: 'cold', sensorType: 'temperature', severity: 'CRITICAL', condition: { kind: 'BELOW', threshold: 0, forSeconds: 60 } }),
      temperature(-1, s(0)), // 2: run starts
      temperature(-2, s(30)),
      temperature(5, s(50)), // 4: broken
      temperature(-1, s(60)), // 5: run starts again
      temperature(-1, s(100)), // 40 s in
      temperature(-3, s(120)), // 7: 60 s in → raised
      temperature(-3, s(130)),
      temperature(1, s(140)), // 9: cleared
    ]);
    expect(brief(steps)).toEqual(['7:RAISED:alarm-7-0', '9:CLEARED:alarm-7-0']);
    expect(steps[0]!.decision).toMatchObject({ rule: { severity: 'CRITICAL' }, value: -3 });
  });
});

describe('no data from a device for a duration', () => {
  const events = () => [
    ruleDefined({ id: 'silent', sensorType: 'temperature', condition: { kind: 'NO_DATA', forSeconds: 300 } }),
    temperature(20, s(0), 1), // 2: device 1 last heard
    ...[60, 120, 180, 240, 299].map((t) => temperature(20, s(t), 2)), // 3–7: device 2 goes on
    temperature(20, s(300), 2), // 8: the clock reaches device 1's deadline → raised here
    temperature(20, s(360), 2),
    temperature(21, s(400), 1), // 10: device 1 speaks again → cleared
  ];

  it('raises at the first event whose time reaches the deadline, whoever sent it, and clears when data arrives', () => {
    const { steps } = run(events());
    expect(brief(steps)).toEqual(['8:RAISED:alarm-8-0', '10:CLEARED:alarm-8-0']);
    expect(steps[0]!.decision).toMatchObject({ deviceNumber: 1, detail: `no temperature reading for 5 min (last at ${new Date(s(0)).toISOString()})` });
  });

  it('decides the same at the same positions however the events are cut into batches and saved', () => {
    const all = events();
    const whole = brief(run(all).steps);
    for (let cut = 1; cut < all.length; cut++) {
      const first = run(all.slice(0, cut));
      const second = run(all.slice(cut), roundTrip(first.state), cut + 1);
      expect([...brief(first.steps), ...brief(second.steps)]).toEqual(whole);
    }
  });

  it('leaves a sleeping device alone, and counts its silence from when it wakes', () => {
    const { steps } = run([
      ruleDefined({ id: 'silent', sensorType: 'temperature', condition: { kind: 'NO_DATA', forSeconds: 300 } }),
      temperature(20, s(0), 1),
      deviceCommand('A', 1, 'SLEEP', s(10)),
      temperature(20, s(600), 2), // 4: device 1 silent 10 min, but asleep
      deviceCommand('A', 1, 'WAKE', s(700)),
      temperature(20, s(900), 2), // 6: 200 s after waking: nothing yet
      temperature(20, s(1000), 2), // 7: 300 s after waking → raised
    ]);
    expect(brief(steps)).toEqual(['7:RAISED:alarm-7-0']);
  });
});

describe('lost-message rate over a window', () => {
  it('raises when more than the percentage of numbered readings in the window is lost, and clears when the gap leaves the window', () => {
    const sent = [
      [0, 1],
      [10, 2],
      [20, 3],
      [30, 6], // 5: seq 4 and 5 lost: 2 of 6 → 33 % → raised
      [40, 7],
      [50, 8],
      [60, 9],
      [70, 10],
      [80, 11],
      [90, 12], // 11: the gap has left the 60 s window → cleared
    ] as const;
    const { steps } = run([
      ruleDefined({ id: 'lossy', sensorType: 'temperature', condition: { kind: 'LOST_RATE', percent: 20, windowSeconds: 60 } }),
      ...sent.map(([t, seq]) => temperature(20, s(t), 1, seq)),
    ]);
    expect(brief(steps)).toEqual(['5:RAISED:alarm-5-0', '11:CLEARED:alarm-5-0']);
    expect(steps[0]!.decision).toMatchObject({ detail: '33.3 % of readings lost in the last 1 min (over 20 %)' });
  });

  it('counts a late arrival as no longer lost', () => {
    expect(lostPercent({ window: [[1, 1], [2, 3]], anchorSeq: null })).toBeCloseTo(100 / 3);
    expect(lostPercent({ window: [[1, 1], [2, 3], [3, 2]], anchorSeq: null })).toBe(0);
    expect(lostPercent({ window: [[5, 10]], anchorSeq: 7 })).toBeCloseTo(200 / 3);
  });
});

describe('log level at or above error', () => {
  it('raises on an error line, does not duplicate it while active, ignores lower levels and clears after a quiet period', () => {
    const { steps } = run([
      ruleDefined({ id: 'errors', severity: 'CRITICAL', condition: { kind: 'LOG_LEVEL', level: 'error', quietSeconds: 120 } }),
      errorLogged('A', 1, { at: s(0), level: 'warning' }), // 2: below error
      errorLogged('A', 1, { at: s(10), level: 'error', message: 'probe disconnected' }), // 3: raised
      errorLogged('A', 1, { at: s(60), level: 'critical' }), // 4: already active
      temperature(20, s(150), 2), // 5: 90 s quiet
      temperature(20, s(180), 2), // 6: 120 s quiet → cleared
    ]);
    expect(brief(steps)).toEqual(['3:RAISED:alarm-3-0', '6:CLEARED:alarm-3-0']);
    expect(steps[0]!.decision).toMatchObject({ detail: 'error: probe disconnected', deviceCode: 'A', deviceNumber: 1 });
  });
});

describe('acknowledgement and clearing by people', () => {
  const rule = ruleDefined({ id: 'hot', sensorType: 'temperature', condition: { kind: 'ABOVE', threshold: 30, forReadings: 2 } });

  it('records who acknowledged, once, and an acknowledged alarm still clears by itself', () => {
    const { steps, commands } = run([
      rule,
      temperature(31, s(1)),
      temperature(31, s(2)), // 3: raised
      acknowledged('alarm-3-0', { at: s(3), actor: 'alice', comment: 'on my way' }),
      acknowledged('alarm-3-0', { at: s(4), actor: 'bob' }), // already acknowledged: nothing
      acknowledged('alarm-99-0', { at: s(4) }), // no such alarm: nothing
      temperature(20, s(5)), // 7: cleared
    ]);
    expect(brief(steps)).toEqual(['3:RAISED:alarm-3-0', '4:ACKNOWLEDGED:alarm-3-0', '7:CLEARED:alarm-3-0']);
    expect(steps[1]!.decision).toMatchObject({ actor: 'alice', comment: 'on my way' });
    expect(commands).toEqual([1, 1, 0, 0]);
  });

  it('clears by an admin, after which the condition must hold anew to raise again', () => {
    const { steps } = run([
      rule,
      temperature(31, s(1)),
      temperature(31, s(2)), // 3: raised
      cleared('alarm-3-0', { at: s(3), actor: 'root', comment: 'known issue' }),
      temperature(31, s(4)), // 5: one past again
      temperature(31, s(5)), // 6: two → raised anew
    ]);
    expect(brief(steps)).toEqual(['3:RAISED:alarm-3-0', '4:CLEARED:alarm-3-0', '6:RAISED:alarm-6-0']);
    expect(steps[1]!.decision).toMatchObject({ actor: 'root', detail: 'cleared by root: known issue' });
  });

  it('clears the alarms of a rule that is deleted or changed, but not of one defined again unchanged', () => {
    const { steps, state } = run([
      rule,
      temperature(31, s(1)),
      temperature(31, s(2)), // 3: raised
      ruleDefined({ id: 'hot', sensorType: 'temperature', condition: { kind: 'ABOVE', threshold: 30, forReadings: 2 } }), // 4: the same rule again
      ruleDefined({ id: 'hot', sensorType: 'temperature', condition: { kind: 'ABOVE', threshold: 40 } }, { at: s(5) }), // 5: changed → cleared
      temperature(41, s(6)), // 6: raised under the new rule
      ruleDeleted('hot', { at: s(7) }), // 7: deleted → cleared
      temperature(50, s(8)),
    ]);
    expect(brief(steps)).toEqual(['3:RAISED:alarm-3-0', '5:CLEARED:alarm-3-0', '6:RAISED:alarm-6-0', '7:CLEARED:alarm-6-0']);
    expect(steps[3]!.decision).toMatchObject({ detail: 'the rule was deleted', actor: 'admin' });
    expect(state.rules.size).toBe(0);
    expect(state.keys.size).toBe(0);
  });
});
