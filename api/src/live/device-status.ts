/**
 * Device status transitions for `deviceStatusChanged`. Status is derived from time, so
 * a device going offline has no event of its own: each API process sweeps the devices
 * read model once a second — devices with new events, and those whose online window just
 * ended — and reports every status that differs from what it last saw. The read model
 * stays a pure function of the events; only these notifications depend on the clock.
 */
import type pg from 'pg';
import type { Logger } from '../../../schema/src/log.ts';
import { allDevices, devicesToRecheck, type DeviceRow, type DeviceStatus } from '../core/devices/queries.ts';

export interface DeviceStatusChange {
  device: DeviceRow;
  previousStatus: DeviceStatus | null;
  at: string;
}

type Sink = (change: DeviceStatusChange) => void;

export class DeviceStatusWatcher {
  private readonly known = new Map<string, DeviceStatus>();
  private readonly sinks = new Set<Sink>();
  private timer: NodeJS.Timeout | null = null;
  private lastSequence = 0;
  private previousMs = 0;
  private sweeping = false;

  constructor(
    private readonly db: pg.Pool,
    private readonly clock: () => number,
    private readonly logger: Logger,
    private readonly everyMs = 1000,
  ) {}

  subscribe(sink: Sink): () => void {
    this.sinks.add(sink);
    if (!this.timer) {
      this.timer = setInterval(() => void this.sweep(), this.everyMs);
      void this.sweep();
    }
    return () => {
      this.sinks.delete(sink);
      if (this.sinks.size === 0) this.stop();
    };
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.known.clear();
    this.lastSequence = 0;
    this.previousMs = 0;
  }

  private remember(device: DeviceRow): DeviceStatus | undefined {
    const key = `${device.deviceCode}-${device.deviceNumber}`;
    const before = this.known.get(key);
    this.known.set(key, device.status);
    this.lastSequence = Math.max(this.lastSequence, device.changedSequence);
    return before;
  }

  async sweep(): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      const now = this.clock();
      if (this.previousMs === 0) {
        // The first sweep learns the current statuses; transitions are reported from then on.
        for (const device of await allDevices(this.db, now)) this.remember(device);
      } else {
        const at = new Date(now).toISOString();
        for (const device of await devicesToRecheck(this.db, this.lastSequence, this.previousMs, now)) {
          // A device seen for the first time reports its status with no previous one.
          const before = this.remember(device) ?? null;
          if (before === device.status) continue;
          for (const sink of this.sinks) sink({ device, previousStatus: before, at });
        }
      }
      this.previousMs = now;
    } catch (error) {
      this.logger.warn({ err: error }, 'device status sweep failed; trying again');
    } finally {
      this.sweeping = false;
    }
  }
}
