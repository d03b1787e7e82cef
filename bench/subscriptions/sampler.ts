/**
 * Once a second during a run: CPU by process group and the API's memory from /proc,
 * and the load processes' counters; one progress line each time.
 */
import type { Child } from '../support/children.ts';
import { fmt, mb } from '../support/format.ts';
import { CpuMeter, OTHER, rssBytes, type CpuReading, type ProcessSample } from '../support/procfs.ts';
import type { LoadStatus } from './protocol.ts';

export type PhaseName = 'ramp' | 'settle' | 'window' | 'drain';

export interface Sample {
  phase: PhaseName;
  /** Seconds since the phase began. */
  t: number;
  /** Wall clock (epoch ms) when taken: the load processes stamp deliveries with the same clock. */
  at: number;
  cpu: CpuReading;
  apiRss: number | null;
  loadRss: number;
  status: LoadStatus;
}

export interface CpuSummary {
  /** Mean CPU by process group, % of one core, weighted by each sample's length. */
  mean: Record<string, number>;
  max: Record<string, number>;
  machine: number;
}

function natsPort(natsUrl: string): string {
  return new URL(natsUrl.split(',')[0]!.trim()).port || '4222';
}

/**
 * Our children by their group name; the nats-server on our port (shared with whatever
 * else uses it); Postgres backends of our database; everything else is `other`.
 */
function classifier(groups: Map<number, string>, natsUrl: string, databaseName: string) {
  const port = natsPort(natsUrl);
  return (p: ProcessSample): string | null => {
    const mine = groups.get(p.pid);
    if (mine) return mine;
    if (p.comm === 'nats-server') {
      const args = p.cmdline.split(' ');
      const at = args.findIndex((a) => a === '-p' || a === '--port');
      return (at >= 0 ? args[at + 1] === port : port === '4222') ? 'nats-server' : OTHER;
    }
    if (p.comm === 'postgres') return p.cmdline.includes(` ${databaseName} `) ? 'postgres' : OTHER;
    return null;
  };
}

export function summarizeCpu(samples: readonly Sample[]): CpuSummary {
  const seconds = samples.reduce((sum, s) => sum + s.cpu.seconds, 0);
  const mean: Record<string, number> = {};
  const max: Record<string, number> = {};
  for (const s of samples) {
    for (const [group, value] of Object.entries(s.cpu.groups)) {
      mean[group] = (mean[group] ?? 0) + (value * s.cpu.seconds) / seconds;
      max[group] = Math.max(max[group] ?? 0, value);
    }
  }
  const machine = seconds ? samples.reduce((sum, s) => sum + s.cpu.machine * s.cpu.seconds, 0) / seconds : 0;
  return { mean, max, machine };
}

export class Sampler {
  readonly samples: Sample[] = [];
  apiRssMax = 0;
  loadRssMax = 0;
  private readonly groups = new Map<number, string>([[process.pid, 'bench harness']]);
  private readonly meter: CpuMeter;
  private readonly loads: Child[] = [];
  private api: Child | null = null;
  private status: (t: number) => LoadStatus = (t) => ({ t, subscribed: 0, connected: 0, closed: 0, live: 0, received: 0, failed: 0, baselineReceived: 0 });

  constructor(
    natsUrl: string,
    databaseName: string,
    private readonly progress: (line: string) => void,
  ) {
    this.meter = new CpuMeter(classifier(this.groups, natsUrl, databaseName));
  }

  /** Counts a process's CPU under `group`; the API and load processes are also watched for exits. */
  watch(child: Child, group: 'api' | 'simulator' | 'projector' | 'load (clients)'): void {
    this.groups.set(child.pid, group);
    if (group === 'api') this.api = child;
    if (group === 'load (clients)') this.loads.push(child);
  }

  watchStatus(status: (t: number) => LoadStatus): void {
    this.status = status;
  }

  /** Starts a fresh CPU reading (the next sample covers only the time from now). */
  restartCpu(): void {
    this.meter.read();
  }

  sample(phase: PhaseName, phaseStart: number): Sample {
    for (const child of [this.api, ...this.loads]) {
      if (child && !child.running()) throw new Error(`${child.name} exited (code ${child.child.exitCode}):\n${child.tail()}`);
    }
    const cpu = this.meter.read();
    const apiRss = this.api ? rssBytes(this.api.pid) : null;
    const loadRss = this.loads.reduce((sum, l) => sum + (rssBytes(l.pid) ?? 0), 0);
    this.apiRssMax = Math.max(this.apiRssMax, apiRss ?? 0);
    this.loadRssMax = Math.max(this.loadRssMax, loadRss);
    const status = this.status((performance.now() - phaseStart) / 1000);
    const s: Sample = { phase, t: status.t, at: Date.now(), cpu, apiRss, loadRss, status };
    const previous = this.samples.at(-1);
    this.samples.push(s);
    this.report(s, previous);
    return s;
  }

  private report(s: Sample, previous: Sample | undefined): void {
    const rate = previous && s.cpu.seconds > 0 ? (s.status.received - previous.status.received) / s.cpu.seconds : 0;
    const busy = Object.entries(s.cpu.groups)
      .filter(([, v]) => v >= 5)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(0)}%`)
      .join(', ');
    const { subscribed, connected, live, failed, received } = s.status;
    this.progress(
      `${s.phase.padEnd(6)} ${s.t.toFixed(0).padStart(3)}s  subscribed ${fmt(subscribed)}  connected ${fmt(connected)}  live ${fmt(live)}  failed ${fmt(failed)}  received ${fmt(received)} (+${fmt(rate)}/s)  API RSS ${mb(s.apiRss)}  cpu ${busy}`,
    );
  }
}
