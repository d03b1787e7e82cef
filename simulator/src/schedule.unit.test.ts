import { describe, expect, it } from 'vitest';
import { Schedule } from './schedule.ts';

function devicesDue(schedule: Schedule, now: number): number[] {
  const due = schedule.take(now);
  const devices: number[] = [];
  for (let slot = due.from; slot < due.to; slot++) devices.push(schedule.deviceOf(slot));
  return devices;
}

/** A tick at the start (device 0 is due then), then `count` ticks every `tickMs`; the devices each of those ticks emitted. */
function ticksAfterStart(schedule: Schedule, tickMs: number, count: number): number[][] {
  expect(devicesDue(schedule, schedule.startMs)).toEqual([0]);
  return Array.from({ length: count }, (_, k) => devicesDue(schedule, schedule.startMs + (k + 1) * tickMs));
}

describe('schedule', () => {
  it('spreads N devices evenly over one interval, each device once', () => {
    const schedule = new Schedule(1000, 5000, 10_000);
    const ticks = ticksAfterStart(schedule, 50, 100);
    expect(ticks.map((t) => t.length)).toEqual(Array(100).fill(10));
    expect(ticks.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => (i + 1) % 1000).sort((a, b) => a - b));
  });

  it('spreads devices that do not divide the interval within one of each other per tick', () => {
    const schedule = new Schedule(777, 5000, 0);
    const counts = ticksAfterStart(schedule, 50, 100).map((t) => t.length);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(777);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });

  it('emits every device once per interval, interval after interval', () => {
    const schedule = new Schedule(30, 1000, 0);
    const perDevice = new Array<number>(30).fill(0);
    for (const tick of ticksAfterStart(schedule, 100, 100)) for (const device of tick) perDevice[device]!++;
    expect(perDevice).toEqual(Array(30).fill(10));
  });

  it('makes no device due before its offset', () => {
    const schedule = new Schedule(4, 1000, 0);
    expect(schedule.take(0)).toMatchObject({ from: 0, to: 1, overdue: 0 });
    expect(schedule.take(249)).toMatchObject({ from: 1, to: 1 });
    expect(schedule.take(250)).toMatchObject({ from: 1, to: 2, lagMs: 0 });
    expect(schedule.take(760)).toMatchObject({ from: 2, to: 4, lagMs: 260 });
  });

  it('drops slots more than one interval overdue after a stall instead of bursting', () => {
    const schedule = new Schedule(100, 1000, 0);
    schedule.take(0);
    const afterStall = schedule.take(3500);
    // One interval's worth, (2500, 3500], is emitted; the slots due in (0, 2500] are dropped.
    expect(afterStall.to - afterStall.from).toBe(100);
    expect(afterStall.overdue).toBe(250);
    expect(schedule.dueAt(afterStall.from)).toBeGreaterThan(2500);
    expect(schedule.dueAt(afterStall.to - 1)).toBeLessThanOrEqual(3500);
    expect(schedule.dueAt(afterStall.to)).toBeGreaterThan(3500);
  });
});
