import { describe, expect, it } from 'vitest';
import { OwnIntervals, Schedule } from './schedule.ts';

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

  describe('changing the interval', () => {
    /** Runs `schedule` with a tick every `tickMs` from `from` to `to`; the times each device measured at. */
    function run(schedule: Schedule, from: number, to: number, tickMs: number, times: number[][]): void {
      for (let now = from; now <= to; now += tickMs) {
        const due = schedule.take(now);
        for (let slot = due.from; slot < due.to; slot++) times[schedule.deviceOf(slot)]!.push(schedule.dueAt(slot));
      }
    }

    it('carries on with the next device in turn and spaces the rest at the new interval', () => {
      const old = new Schedule(10, 1000, 0);
      old.take(0);
      old.take(450);
      // Devices 0…4 have measured; device 5 was due at 500. Switched at 480, it is due at once.
      const rephased = old.withInterval(2000, 480);
      const first = rephased.take(480);
      expect(first).toMatchObject({ to: first.from + 1, lagMs: 0 });
      expect(rephased.deviceOf(first.from)).toBe(5);
      const next = Array.from({ length: 5 }, (_, k) => first.to + k);
      expect(next.map((slot) => rephased.deviceOf(slot))).toEqual([6, 7, 8, 9, 0]);
      expect(next.map((slot) => rephased.dueAt(slot))).toEqual([680, 880, 1080, 1280, 1480]);
    });

    it('keeps the due time of the next device when it came due before the switch', () => {
      const old = new Schedule(10, 1000, 0);
      old.take(450);
      expect(old.withInterval(2000, 520).take(520)).toMatchObject({ to: 6, lagMs: 20 });
    });

    it('keeps every device measuring once per new interval, evenly phased, with no double measurement', () => {
      const times = Array.from({ length: 20 }, () => [] as number[]);
      let schedule = new Schedule(20, 1000, 0);
      run(schedule, 0, 2990, 10, times);
      schedule = schedule.withInterval(5000, 3000);
      run(schedule, 3000, 30_000, 10, times);
      for (const deviceTimes of times) {
        const gaps = deviceTimes.slice(1).map((t, i) => t - deviceTimes[i]!);
        // Before the change 1 s apart; across it somewhere between the old and the new interval; after it 5 s.
        expect(Math.min(...gaps)).toBeGreaterThanOrEqual(1000 - 50);
        expect(Math.max(...gaps)).toBeLessThanOrEqual(5000);
        expect(gaps.slice(-3)).toEqual([5000, 5000, 5000]);
      }
      // After the change the devices are spread 250 ms apart over the new interval.
      const lastRound = times.map((t) => t.at(-1)!).sort((a, b) => a - b);
      const spacing = lastRound.slice(1).map((t, i) => t - lastRound[i]!);
      expect(new Set(spacing)).toEqual(new Set([250]));
    });

    it('applies a much shorter interval at once instead of after the old one ran out', () => {
      const old = new Schedule(4, 3_600_000, 0);
      old.take(0);
      // Device 1 would be due at 900,000; with 5 s it is due now.
      const rephased = old.withInterval(5000, 1000);
      expect(rephased.take(1000)).toMatchObject({ from: 1, to: 2, lagMs: 0 });
      expect(rephased.take(2250)).toMatchObject({ from: 2, to: 3 });
      expect(rephased.take(6000)).toMatchObject({ from: 3, to: 6 });
    });
  });
});

describe('a schedule', () => {
  it('tells when a device is next due', () => {
    const schedule = new Schedule(4, 1000, 0);
    schedule.take(300);
    // Devices 0 (at 0) and 1 (at 250) measured; 2 is due at 500, 3 at 750, then 0 and 1 again a second later.
    expect([0, 1, 2, 3].map((d) => schedule.nextDueOf(d))).toEqual([1000, 1250, 500, 750]);
  });
});

describe('devices on intervals of their own', () => {
  /** Ticks `own` every `tickMs` over [from, to]; the times each device was visited at. */
  function run(own: OwnIntervals, from: number, to: number, tickMs: number): { times: Map<number, number[]>; overdue: number } {
    const times = new Map<number, number[]>();
    let overdue = 0;
    for (let now = from; now <= to; now += tickMs) {
      overdue += own.take(now, (device, dueAt) => {
        expect(dueAt).toBeLessThanOrEqual(now);
        times.set(device, [...(times.get(device) ?? []), dueAt]);
      }).overdue;
    }
    return { times, overdue };
  }

  const gapsOf = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

  it('spaces devices that share an interval evenly over it, each once per interval', () => {
    const own = new OwnIntervals(10);
    own.restart(0);
    for (let device = 0; device < 10; device++) own.set(device, 1000, 0, -1000, 1000);
    const { times, overdue } = run(own, 0, 4990, 10);
    expect(overdue).toBe(0);
    // Device i of 10 is due at 100·i + k·1000.
    for (let device = 0; device < 10; device++) expect(times.get(device)).toEqual([0, 1, 2, 3, 4].map((k) => 100 * device + 1000 * k));
  });

  it('leaves out devices that follow the fleet schedule', () => {
    const own = new OwnIntervals(4);
    own.restart(0);
    own.set(2, 1000, 0, -1000, 1000);
    expect(own.intervalOf(2)).toBe(1000);
    expect(own.intervalOf(1)).toBe(0);
    expect([...run(own, 0, 3000, 50).times.keys()]).toEqual([2]);
  });

  it('moves a device to a longer interval after at least its old interval, then keeps the new one', () => {
    const own = new OwnIntervals(4);
    own.restart(0);
    // Device 1 measured at 1250 on the fleet's 1 s interval; at 1500 it is told 5 s. Its grid: 1250 + k·5000.
    own.set(1, 5000, 1500, 1250, 1000);
    const times = run(own, 1500, 30_000, 50).times.get(1)!;
    expect(times[0]).toBe(6250);
    expect(new Set(gapsOf(times))).toEqual(new Set([5000]));
  });

  it('applies a much shorter interval at once, with nothing counted overdue', () => {
    const own = new OwnIntervals(4);
    own.restart(0);
    // Last measured at 0 on an hour; switched to 5 s at 60 s: due at its latest grid point, 60 s, then every 5 s.
    own.set(0, 5000, 60_000, 0, 3_600_000);
    const { times, overdue } = run(own, 60_000, 75_000, 50);
    expect(overdue).toBe(0);
    expect(times.get(0)).toEqual([60_000, 65_000, 70_000, 75_000]);
  });

  it('visits a device once after a stall and counts the measurements it missed as overdue', () => {
    const own = new OwnIntervals(2);
    own.restart(0);
    own.set(0, 1000, 0, -1000, 1000);
    own.take(0, () => undefined);
    const visits: number[] = [];
    // Due at 1000, 2000, 3000; at 3500 only 3000 is within an interval of now.
    expect(own.take(3500, (_device, dueAt) => visits.push(dueAt))).toEqual({ overdue: 2 });
    expect(visits).toEqual([3000]);
    expect(own.dueAt(0)).toBe(4000);
  });

  it('plans every device from its grid again when the simulator starts again', () => {
    const own = new OwnIntervals(4);
    own.restart(0);
    own.set(1, 2000, 0, -1000, 1000);
    own.set(3, 4000, 0, -1000, 1000);
    own.restart(100_000);
    // Offsets floor(i·I/n): device 1 on 2 s at 500, device 3 on 4 s at 3000.
    expect([own.dueAt(1), own.dueAt(3)]).toEqual([100_500, 103_000]);
    const { times } = run(own, 100_000, 110_000, 50);
    expect(times.get(1)).toEqual([100_500, 102_500, 104_500, 106_500, 108_500]);
    expect(times.get(3)).toEqual([103_000, 107_000]);
  });
});
