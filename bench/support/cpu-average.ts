/** Mean CPU by process group over a run, sampled from /proc every half second, with the largest RSS of chosen processes. */
import { classifier } from '../ingest/end-to-end.ts';
import { CpuMeter, rssBytes } from './procfs.ts';

export interface CpuAverages {
  /** Mean % of one core per group over the run. */
  groups: Record<string, number>;
  machine: number;
  /** Largest VmRSS seen, per watched pid's group name. */
  rssMax: Record<string, number>;
}

export class CpuAverage {
  private readonly meter: CpuMeter;
  private readonly totals: Record<string, number> = {};
  private readonly rss: Record<string, number> = {};
  private machine = 0;
  private seconds = 0;
  private readonly timer: NodeJS.Timeout;

  /** `known`: pid → group name for the run's own processes; the rest are classified as the ingest benchmark does. */
  constructor(private readonly known: Map<number, string>, databaseName: string, natsUrl: string) {
    const port = new URL(natsUrl.split(',')[0]!).port || '4222';
    this.meter = new CpuMeter(classifier(known, databaseName, port));
    this.timer = setInterval(() => this.sample(), 500);
  }

  private sample(): void {
    const reading = this.meter.read();
    for (const [group, percent] of Object.entries(reading.groups)) this.totals[group] = (this.totals[group] ?? 0) + percent * reading.seconds;
    this.machine += reading.machine * reading.seconds;
    this.seconds += reading.seconds;
    for (const [pid, group] of this.known) this.rss[group] = Math.max(this.rss[group] ?? 0, rssBytes(pid) ?? 0);
  }

  stop(): CpuAverages {
    clearInterval(this.timer);
    this.sample();
    const over = Math.max(this.seconds, 1e-9);
    return {
      groups: Object.fromEntries(Object.entries(this.totals).map(([group, total]) => [group, total / over])),
      machine: this.machine / over,
      rssMax: { ...this.rss },
    };
  }
}
