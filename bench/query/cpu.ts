/** Who used the CPU during a timed window: our children by pid, Postgres by database, nats-server. */
import { CpuMeter, type CpuReading, type ProcessSample } from '../support/procfs.ts';

export class ProcessGroups {
  private readonly known = new Map<number, string>([[process.pid, 'bench harness']]);
  readonly meter: CpuMeter;

  constructor(databaseName: string) {
    this.meter = new CpuMeter((p) => this.classify(p, databaseName));
  }

  name(pid: number, group: string): void {
    this.known.set(pid, group);
  }

  /** Starts a window (what was used before is dropped). */
  start(): void {
    this.meter.read();
  }

  /** CPU since `start()`, % of one core per group. */
  read(): CpuReading {
    return this.meter.read();
  }

  private classify(p: ProcessSample, databaseName: string): string | null {
    const mine = this.known.get(p.pid);
    if (mine) return mine;
    if (p.comm === 'nats-server') return 'nats-server';
    if (p.comm === 'postgres') {
      if (p.cmdline.includes(` ${databaseName} `)) return 'postgres (bench database)';
      if (/^postgres: \S+: [a-z ]+$/.test(p.cmdline) || p.cmdline.startsWith('/')) return 'postgres (shared: wal, checkpoints)';
      return 'postgres (other databases)';
    }
    return null;
  }
}
