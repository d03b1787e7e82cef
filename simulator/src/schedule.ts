/**
 * When each device measures. Device i of n is due at start + floor(i·interval/n)
 * + k·interval, so n devices are spread evenly over one interval and the load
 * is steady rather than a burst per interval.
 *
 * Measurements are numbered by "slot" in due order: slot s is device s mod n in
 * cycle floor(s / n). The schedule only remembers the next slot to hand out.
 */
export interface DueSlots {
  /** Slots [from, to) are due now. */
  from: number;
  to: number;
  /** Slots left out because they were more than one interval overdue. */
  overdue: number;
  /** How late the earliest slot handed out is, in ms (0 when none is due). */
  lagMs: number;
}

export class Schedule {
  constructor(
    readonly devices: number,
    readonly intervalMs: number,
    readonly startMs: number,
    /** The next slot to hand out. */
    private next = 0,
  ) {}

  /**
   * The same devices on another interval, carrying on from here: the device next in
   * turn keeps its place and is due at its old time or `now`, whichever comes first;
   * the devices after it follow at the new spacing. So the devices stay evenly phased,
   * each device's gap across the switch lies between the old and the new interval (to
   * within one device's spacing), and a much shorter interval applies at once instead
   * of after the old one ran out.
   */
  withInterval(intervalMs: number, now: number): Schedule {
    const device = this.deviceOf(this.next);
    const dueAt = Math.min(this.dueAt(this.next), now);
    return new Schedule(this.devices, intervalMs, dueAt - Math.floor((device * intervalMs) / this.devices), device);
  }

  deviceOf(slot: number): number {
    return slot % this.devices;
  }

  dueAt(slot: number): number {
    const cycle = Math.floor(slot / this.devices);
    const device = slot - cycle * this.devices;
    return this.startMs + cycle * this.intervalMs + Math.floor((device * this.intervalMs) / this.devices);
  }

  /**
   * Hands out the slots that have become due by `now`. A device never measures
   * twice for one interval: after a stall (a paused process, a clock jump) the
   * slots more than one interval overdue are dropped, not made up in a burst.
   */
  take(now: number): DueSlots {
    let overdue = 0;
    if (this.dueAt(this.next) < now - this.intervalMs) {
      const resume = this.firstSlotAfter(now - this.intervalMs);
      overdue = resume - this.next;
      this.next = resume;
    }
    const from = this.next;
    const to = Math.max(from, this.firstSlotAfter(now));
    this.next = to;
    return { from, to, overdue, lagMs: to > from ? now - this.dueAt(from) : 0 };
  }

  /** The first slot due strictly after time t. */
  private firstSlotAfter(t: number): number {
    const elapsed = Math.floor(t - this.startMs);
    if (elapsed < 0) return 0;
    const cycle = Math.floor(elapsed / this.intervalMs);
    const intoCycle = elapsed - cycle * this.intervalMs;
    // The smallest device i with floor(i·interval/n) > intoCycle, all in integers.
    const device = Math.ceil(((intoCycle + 1) * this.devices) / this.intervalMs);
    return device >= this.devices ? (cycle + 1) * this.devices : cycle * this.devices + device;
  }
}
