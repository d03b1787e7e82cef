/**
 * One simulator instance (`simulator/src/main.ts`, a child as in production) at its default
 * 5 s interval against a stream of its own: its resident memory from /proc once a second,
 * the stream's message count once a second (acked publishes), and its own counters from the
 * log line it writes when it stops (generated, published, skipped, late ticks).
 */
import type { SensorType } from '../../schema/src/sensors.ts';
import { startChild } from '../support/children.ts';
import type { Cleanup } from '../support/cleanup.ts';
import { fmt, mb } from '../support/format.ts';
import type { BenchEnv } from '../support/isolated.ts';
import { CpuMeter, listProcesses, rssBytes, type CpuReading } from '../support/procfs.ts';

export interface SimulatorPlan {
  devices: number;
  type: SensorType;
  seed: number;
  /** Seconds sampled after the first reading reaches the stream. */
  durationS: number;
  /** The first seconds of those, left out of the publish rate. */
  warmupS: number;
}

interface Counters {
  generated: number;
  published: number;
  skipped: number;
  lateTicks: number;
  errors: number;
  retries: number;
  inFlight: number;
  queued: number;
}

export interface SimulatorFigures {
  plan: SimulatorPlan;
  intervalMs: number;
  /** devices ÷ interval: what its schedule asks for. */
  scheduledPerSecond: number;
  /** Acked publishes per second over the steady window, from the stream's message count. */
  publishedPerSecond: number;
  /** The slowest and fastest whole second of the window. */
  slowestSecond: number;
  fastestSecond: number;
  windowS: number;
  /** From its "simulator started" log line to its "stopping" line: the time it was measuring. */
  measuringS: number;
  /** Readings due in that time by its schedule. */
  due: number;
  /** Its own counters when it stopped. */
  final: Counters;
  /** The simulator process (node) alone, and with the helpers it starts (tsx's esbuild). */
  rssMaxBytes: number;
  rssEndBytes: number;
  treeRssMaxBytes: number;
  /** The largest `rssMb` of its own stats lines (every 10 s), a cross-check of /proc. */
  selfReportedRssMb: number | null;
  cpu: CpuReading;
  exitCode: number | null;
}

export const SCHEDULE_TOLERANCE = 0.99;

/** Whether it kept its schedule: nothing skipped, what was due generated, and acked as fast as generated. */
export function keptSchedule(f: SimulatorFigures): boolean {
  return f.final.skipped === 0 && f.final.generated >= SCHEDULE_TOLERANCE * f.due && f.publishedPerSecond >= SCHEDULE_TOLERANCE * f.scheduledPerSecond;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const FIRST_READING_TIMEOUT_MS = 60_000;
/** SIGTERM waits up to 10 s for acks (simulator/src/main.ts), and up to 1 s to leave discovery. */
const STOP_GRACE_MS = 20_000;

function counters(stats: Record<string, unknown>): Counters {
  const n = (k: string) => (typeof stats[k] === 'number' ? (stats[k] as number) : 0);
  return {
    generated: n('generated'),
    published: n('published'),
    skipped: n('skipped'),
    lateTicks: n('lateTicks'),
    errors: n('errors'),
    retries: n('retries'),
    inFlight: n('inFlight'),
    queued: n('queued'),
  };
}

function treeRss(root: number): number {
  const processes = listProcesses();
  const inTree = new Set([root]);
  // Children list after their parents only by chance: repeat until no process is added.
  for (let added = true; added; ) {
    added = false;
    for (const p of processes) {
      if (!inTree.has(p.pid) && inTree.has(p.ppid)) {
        inTree.add(p.pid);
        added = true;
      }
    }
  }
  let total = 0;
  for (const pid of inTree) total += rssBytes(pid) ?? 0;
  return total;
}

export async function runSimulator(env: BenchEnv, cleanup: Cleanup, plan: SimulatorPlan, progress: (line: string) => void): Promise<SimulatorFigures> {
  const names = await env.createStreams('sim');
  const streamMessages = async () => (await env.jsm.streams.info(names.stream)).state.messages;
  /** What its log lines told, with when they arrived. */
  const seen: { startedAt?: number; stoppingAt?: number; intervalMs?: number; final?: Counters; selfReportedRssMb?: number } = {};

  const child = startChild('simulator', 'simulator/src/main.ts', {
    env: { ...env.childEnv(names), LOG_LEVEL: 'info' },
    args: ['--type', plan.type, '--devices', String(plan.devices), '--seed', String(plan.seed)],
    onLine: (line) => {
      if (!line.startsWith('{')) return;
      let entry: { msg?: string; stats?: Record<string, unknown>; rssMb?: number; intervalMs?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      const msg = entry.msg ?? '';
      if (msg === 'simulator started') {
        seen.startedAt = performance.now();
        seen.intervalMs = entry.intervalMs;
      }
      if (msg.startsWith('stopping')) seen.stoppingAt = performance.now();
      if (msg === 'simulator stats' && typeof entry.rssMb === 'number') seen.selfReportedRssMb = Math.max(seen.selfReportedRssMb ?? 0, entry.rssMb);
      if (msg.startsWith('simulator stopped') && entry.stats) seen.final = counters(entry.stats);
    },
  });
  cleanup.defer('stop the simulator', () => child.stop(STOP_GRACE_MS).then(() => undefined));
  const meter = new CpuMeter((p) => (p.pid === child.pid ? 'simulator' : p.comm === 'nats-server' ? 'nats-server' : p.pid === process.pid ? 'bench harness' : null));

  const waitStart = performance.now();
  while ((await streamMessages()) === 0) {
    if (!child.running()) throw new Error(`the simulator exited at start:\n${child.tail()}`);
    if (performance.now() - waitStart > FIRST_READING_TIMEOUT_MS) throw new Error(`no simulator reading reached the stream in ${FIRST_READING_TIMEOUT_MS / 1000} s:\n${child.tail()}`);
    await sleep(50);
  }

  const t0 = performance.now();
  const samples: Array<{ t: number; messages: number }> = [];
  let rssMaxBytes = 0;
  let rssEndBytes = 0;
  let treeRssMaxBytes = 0;
  let cpu: CpuReading | null = null;
  for (let tick = 0; tick <= plan.durationS; tick++) {
    await sleep(Math.max(0, t0 + tick * 1000 - performance.now()));
    if (!child.running()) throw new Error(`the simulator exited during the run:\n${child.tail()}`);
    if (tick === plan.warmupS) meter.read();
    if (tick === plan.durationS) cpu = meter.read();
    const messages = await streamMessages();
    samples.push({ t: (performance.now() - t0) / 1000, messages });
    rssEndBytes = rssBytes(child.pid) ?? 0;
    rssMaxBytes = Math.max(rssMaxBytes, rssEndBytes);
    treeRssMaxBytes = Math.max(treeRssMaxBytes, treeRss(child.pid));
    const previous = samples.at(-2);
    if (tick % 5 === 0 || tick === plan.durationS) {
      const rate = previous ? (messages - previous.messages) / (samples.at(-1)!.t - previous.t) : 0;
      progress(`simulator ${String(tick).padStart(3)} s: ${fmt(messages)} in the stream (${fmt(rate)}/s), RSS ${mb(rssEndBytes)}`);
    }
  }

  const exitCode = await child.stop(STOP_GRACE_MS);
  // Its readings are of no further use: free the server's disk now rather than at the end.
  await env.jsm.streams.delete(names.stream);
  const { startedAt, stoppingAt, intervalMs, final } = seen;
  if (exitCode !== 0 || !final || startedAt === undefined || stoppingAt === undefined || intervalMs === undefined || !cpu) {
    throw new Error(`the simulator exited with ${exitCode} without its final counters:\n${child.tail()}`);
  }

  const window = samples.slice(plan.warmupS);
  const first = window[0]!;
  const last = window.at(-1)!;
  const seconds = window.slice(1).map((s, i) => (s.messages - window[i]!.messages) / (s.t - window[i]!.t));
  const scheduledPerSecond = (plan.devices * 1000) / intervalMs;
  const measuringS = (stoppingAt - startedAt) / 1000;
  return {
    plan,
    intervalMs,
    scheduledPerSecond,
    publishedPerSecond: (last.messages - first.messages) / (last.t - first.t),
    slowestSecond: Math.min(...seconds),
    fastestSecond: Math.max(...seconds),
    windowS: last.t - first.t,
    measuringS,
    due: scheduledPerSecond * measuringS,
    final,
    rssMaxBytes,
    rssEndBytes,
    treeRssMaxBytes,
    selfReportedRssMb: seen.selfReportedRssMb ?? null,
    cpu,
    exitCode,
  };
}
