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

  /** When `device` is next due: the time of its first slot not handed out yet. */
  nextDueOf(device: number): number {
    const ahead = (device - (this.next % this.devices) + this.devices) % this.devices;
    return this.dueAt(this.next + ahead);
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

/** The first time at or after `t` on a device's own grid, `origin + offset + k·interval` (k any integer). */
export function firstOnGrid(t: number, origin: number, offset: number, intervalMs: number): number {
  const base = origin + offset;
  return base + Math.ceil((t - base) / intervalMs) * intervalMs;
}

/** Devices taken from an `OwnIntervals` by one tick. */
export interface DueDevices {
  /** Measurements left out because they were more than one interval overdue. */
  overdue: number;
}

/**
 * Devices on an interval of their own (a SET_INTERVAL device command), beside the fleet's
 * `Schedule`. Device i of n with interval I is due on its own grid, origin + floor(i·I/n) + k·I,
 * so devices sharing an interval stay evenly phased among themselves just as the fleet schedule
 * keeps the others. A binary min-heap on the due time, over typed arrays: 20 bytes a device,
 * whether it has an interval of its own or not, and O(log n) per measurement.
 */
export class OwnIntervals {
  /** Per device: its own interval in ms, 0 while it follows the fleet schedule. */
  private readonly intervals: Uint32Array;
  private readonly dueTimes: Float64Array;
  /** Device indices, ordered as a min-heap on their due time. */
  private readonly heap: Int32Array;
  /** Per device: its place in the heap, -1 when it has none. */
  private readonly places: Int32Array;
  private size = 0;
  private origin = 0;

  constructor(readonly devices: number) {
    this.intervals = new Uint32Array(devices);
    this.dueTimes = new Float64Array(devices);
    this.heap = new Int32Array(devices);
    this.places = new Int32Array(devices).fill(-1);
  }

  /** The device's own interval in ms, or 0 when it follows the fleet schedule. */
  intervalOf(device: number): number {
    return this.intervals[device]!;
  }

  /** When the device is next due (only for a device with an interval of its own, while running). */
  dueAt(device: number): number {
    return this.dueTimes[device]!;
  }

  /**
   * Gives `device` its own interval at `now`. Its last measurement was due at `lastDueAt` on an
   * interval of `previousIntervalMs`; it next measures at the first point of its new grid at least the
   * shorter of the two intervals after that, so the gap across the switch lies between the old and the
   * new interval (plus at most one new interval to reach its phase). A shorter interval applies at
   * once: never earlier than its latest grid point by `now`, so the switch itself counts nothing overdue.
   */
  set(device: number, intervalMs: number, now: number, lastDueAt: number, previousIntervalMs: number): void {
    this.intervals[device] = intervalMs;
    const earliest = Math.max(lastDueAt + Math.min(intervalMs, previousIntervalMs), now - intervalMs + 1);
    this.dueTimes[device] = firstOnGrid(earliest, this.origin, this.offsetOf(device), intervalMs);
    const place = this.places[device]!;
    if (place < 0) {
      this.places[device] = this.size;
      this.heap[this.size++] = device;
      this.up(this.size - 1);
    } else {
      this.down(this.up(place));
    }
  }

  /** A new run from `origin` (a start): every device with its own interval is next due on its grid from then on. */
  restart(origin: number): void {
    this.origin = origin;
    for (let place = 0; place < this.size; place++) {
      const device = this.heap[place]!;
      this.dueTimes[device] = origin + this.offsetOf(device);
    }
    for (let place = (this.size >> 1) - 1; place >= 0; place--) this.down(place);
  }

  /**
   * Hands each device due by `now` to `visit` with the time it was due, once, and plans its next
   * measurement. As in `Schedule.take`, a device more than one interval overdue (after a stall) is
   * due at its latest grid point instead, and the measurements it missed count as overdue.
   */
  take(now: number, visit: (device: number, dueAt: number) => void): DueDevices {
    let overdue = 0;
    while (this.size > 0) {
      const device = this.heap[0]!;
      let dueAt = this.dueTimes[device]!;
      if (dueAt > now) break;
      const interval = this.intervals[device]!;
      if (dueAt <= now - interval) {
        const latest = firstOnGrid(now - interval + 1, this.origin, this.offsetOf(device), interval);
        overdue += Math.round((latest - dueAt) / interval);
        dueAt = latest;
      }
      // Strictly after now: each device is visited at most once per take.
      this.dueTimes[device] = dueAt + interval;
      this.down(0);
      visit(device, dueAt);
    }
    return { overdue };
  }

  private offsetOf(device: number): number {
    return Math.floor((device * this.intervals[device]!) / this.devices);
  }

  private less(a: number, b: number): boolean {
    return this.dueTimes[this.heap[a]!]! < this.dueTimes[this.heap[b]!]!;
  }

  private swap(a: number, b: number): void {
    const da = this.heap[a]!;
    const db = this.heap[b]!;
    this.heap[a] = db;
    this.heap[b] = da;
    this.places[db] = a;
    this.places[da] = b;
  }

  private up(place: number): number {
    while (place > 0) {
      const parent = (place - 1) >> 1;
      if (!this.less(place, parent)) break;
      this.swap(place, parent);
      place = parent;
    }
    return place;
  }

  private down(place: number): void {
    for (;;) {
      const left = 2 * place + 1;
      if (left >= this.size) return;
      const right = left + 1;
      const child = right < this.size && this.less(right, left) ? right : left;
      if (!this.less(child, place)) return;
      this.swap(place, child);
      place = child;
    }
  }
}
