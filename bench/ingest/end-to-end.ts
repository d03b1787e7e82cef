/**
 * The whole stack at work: simulator processes publish to JetStream, the projector
 * process commits to Postgres, and once a second we sample the stream head, the
 * projector's checkpoint, its memory and the CPU of every process involved.
 */
import { join } from 'node:path';
import { PROJECTOR_CONSUMER } from '../../schema/src/subjects.ts';
import type { SensorType } from '../../schema/src/sensors.ts';
import { checkpointName } from '../../projector/src/projector.ts';
import { startChild, type Child } from '../support/children.ts';
import type { Cleanup } from '../support/cleanup.ts';
import { fmt, mb } from '../support/format.ts';
import { CpuMeter, listProcesses, rssBytes, type CpuReading, type ProcessSample } from '../support/procfs.ts';
import type { BenchEnv } from '../support/isolated.ts';
import { parseSimulatorStats, type SimulatorStats } from '../support/simulator-stats.ts';

export interface EndToEndOptions {
  /** Readings/s offered in the saturation phase. */
  rate: number;
  simulators: number;
  devicesPerSimulator: number;
  maxInFlight: number;
  durationS: number;
  /** The start of the saturation phase left out of its rate (JIT, first batches). */
  warmupS: number;
  /** Readings/s offered in the fixed-rate phase, and how long it runs. */
  fixedRate: number;
  fixedS: number;
  /** The longest wait for the projector to catch up after a phase. */
  drainTimeoutS: number;
  /** PROJECTOR_BATCH_SIZE for the projector; its own default when undefined. */
  batchSize?: number;
  /** When set, the projector and the saturation-phase simulators write V8 CPU profiles here. */
  profileDir: string | null;
  /** Extra node flags for the projector process (diagnostics: --trace-gc, heap sizes). */
  projectorNodeFlags: string[];
}

export interface SimulatorPlan {
  type: SensorType;
  devices: number;
  intervalMs: number;
  /** Readings/s this instance is asked for. */
  offered: number;
}

/** The simulator's own counters, from its JSON log line at shutdown. */
export interface SimulatorFinal extends SimulatorStats {
  name: string;
}

export interface Sample {
  phase: PhaseName;
  /** Seconds since the phase began. */
  t: number;
  head: number;
  committed: number;
  projectorRss: number | null;
  natsRss: number | null;
  cpu: CpuReading;
}

export type PhaseName = 'saturation' | 'drain' | 'fixed-rate' | 'final drain';

export interface PhaseResult {
  name: PhaseName;
  offered: number | null;
  /** Wall time of the phase, and of the window its rates cover. */
  seconds: number;
  windowSeconds: number;
  /** Readings acked into the stream during the window, per second. */
  publishedPerSecond: number;
  /** Readings committed to the read model during the window, per second. */
  committedPerSecond: number;
  lagMax: number;
  lagEnd: number;
  /** Least-squares trend of the lag over the window, readings/s: about 0 when lag is bounded. */
  lagSlope: number;
  /** Mean CPU over the window, % of one core, by process group. */
  cpu: Record<string, number>;
  machineCpu: number;
  simulators: SimulatorFinal[];
  /** The drain phases: whether the projector caught up with the stream before the timeout. */
  caughtUp: boolean;
}

export interface EndToEndResult {
  plan: SimulatorPlan[];
  fixedPlan: SimulatorPlan[];
  phases: PhaseResult[];
  projectorRssMax: number;
  natsRssMax: number | null;
  /** Readings in the stream and rows in the read model at the end (they must be equal). */
  streamTotal: number;
  rowsTotal: number;
  profiles: string[];
}

const TYPES: readonly SensorType[] = ['temperature', 'humidity', 'pressure', 'co2', 'light'];

/** Splits `rate` over `instances` simulators of `devices` devices each, by choosing the per-device interval. */
export function planSimulators(rate: number, instances: number, devices: number): SimulatorPlan[] {
  const intervalMs = Math.max(1, Math.round((devices * 1000 * instances) / rate));
  return Array.from({ length: instances }, (_, i) => ({ type: TYPES[i % TYPES.length]!, devices, intervalMs, offered: (devices * 1000) / intervalMs }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function natsPort(natsUrl: string): string {
  return new URL(natsUrl.split(',')[0]!.trim()).port || '4222';
}

/** Groups for the CPU meter: our children by pid, the nats-server we talk to, and Postgres split by database. */
export function classifier(known: Map<number, string>, databaseName: string, port: string) {
  return (p: ProcessSample): string | null => {
    const mine = known.get(p.pid);
    if (mine) return mine;
    if (p.comm === 'nats-server') {
      const args = p.cmdline.split(' ');
      const at = args.findIndex((a) => a === '-p' || a === '--port');
      return (at >= 0 ? args[at + 1] === port : port === '4222') ? 'nats-server' : 'other nats-server';
    }
    if (p.comm === 'postgres') {
      if (p.cmdline.includes(` ${databaseName} `)) return 'postgres (bench database)';
      if (/^postgres: \S+: [a-z ]+$/.test(p.cmdline) || p.cmdline.startsWith('/')) return 'postgres (shared: wal, checkpoints)';
      return 'postgres (other databases)';
    }
    return null;
  };
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

function slope(points: Array<[number, number]>): number {
  if (points.length < 2) return 0;
  const mx = mean(points.map((p) => p[0]));
  const my = mean(points.map((p) => p[1]));
  let num = 0;
  let den = 0;
  for (const [x, y] of points) {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  }
  return den ? num / den : 0;
}

export async function runEndToEnd(env: BenchEnv, cleanup: Cleanup, options: EndToEndOptions, progress: (line: string) => void): Promise<EndToEndResult> {
  const names = await env.createStreams('e2e');
  const childEnv = env.childEnv(names);
  const checkpoint = checkpointName(names);
  const known = new Map<number, string>([[process.pid, 'bench harness']]);
  const profiles: string[] = [];
  const profileArgs = (role: string) => {
    if (!options.profileDir) return [];
    const dir = join(options.profileDir, role);
    profiles.push(dir);
    return ['--cpu-prof', `--cpu-prof-dir=${dir}`];
  };

  const projector = startChild('projector', 'projector/src/main.ts', {
    env: { ...childEnv, ...(options.batchSize ? { PROJECTOR_BATCH_SIZE: String(options.batchSize) } : {}) },
    execArgv: [...options.projectorNodeFlags, ...profileArgs('projector')],
    // At LOG_LEVEL=warn it is quiet unless something goes wrong (or node flags ask it to talk).
    onLine: (line) => progress(`projector: ${line}`),
  });
  cleanup.defer('stop the projector', () => projector.stop().then(() => undefined));
  known.set(projector.pid, 'projector');

  const readHead = async () => (await env.jsm.streams.info(names.stream)).state.last_seq;
  const readCommitted = async () => {
    const result = await env.db.query<{ last_sequence: string }>('SELECT last_sequence FROM projector_checkpoints WHERE name = $1', [checkpoint]);
    return result.rows[0] ? Number(result.rows[0].last_sequence) : null;
  };

  const started = performance.now();
  while ((await readCommitted()) === null || !(await env.jsm.consumers.info(names.stream, PROJECTOR_CONSUMER).catch(() => null))) {
    if (!projector.running()) throw new Error(`the projector exited at start:\n${projector.tail()}`);
    if (performance.now() - started > 60_000) throw new Error(`the projector was not consuming after 60 s:\n${projector.tail()}`);
    await sleep(100);
  }
  progress(`projector ready (pid ${projector.pid}) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const meter = new CpuMeter(classifier(known, env.databaseName, natsPort(env.natsUrl)));
  const samples: Sample[] = [];
  let projectorRssMax = 0;
  let natsRssMax: number | null = null;
  const natsServerPid = findNatsServer(env.databaseName, natsPort(env.natsUrl));

  async function sample(phase: PhaseName, phaseStart: number): Promise<Sample> {
    if (!projector.running()) throw new Error(`the projector exited (code ${projector.child.exitCode}):\n${projector.tail()}`);
    const committed = (await readCommitted()) ?? 0;
    const head = await readHead();
    const cpu = meter.read();
    const projectorRss = rssBytes(projector.pid);
    const natsRss = natsServerPid ? rssBytes(natsServerPid) : null;
    projectorRssMax = Math.max(projectorRssMax, projectorRss ?? 0);
    if (natsRss !== null) natsRssMax = Math.max(natsRssMax ?? 0, natsRss);
    const s: Sample = { phase, t: (performance.now() - phaseStart) / 1000, head, committed, projectorRss, natsRss, cpu };
    const previous = samples.at(-1);
    samples.push(s);
    const dt = previous ? s.t - (previous.phase === phase ? previous.t : 0) : 0;
    const per = (now: number, before: number | undefined) => (previous && dt > 0 && before !== undefined ? Math.round((now - before) / dt) : 0);
    // A reading over a few milliseconds (a phase's first sample) says nothing about CPU.
    const cpuText =
      cpu.seconds < 0.5
        ? '-'
        : Object.entries(cpu.groups)
            .filter(([, v]) => v >= 5)
            .sort((a, b) => b[1] - a[1])
            .map(([k, v]) => `${k} ${v.toFixed(0)}%`)
            .join(', ');
    progress(
      `${phase.padEnd(11)} ${s.t.toFixed(0).padStart(3)}s  head ${fmt(head)} (+${fmt(per(head, previous?.head))}/s)  committed ${fmt(committed)} (+${fmt(per(committed, previous?.committed))}/s)  lag ${fmt(head - committed)}  projector RSS ${mb(projectorRss)}  cpu ${cpuText}`,
    );
    return s;
  }

  function startSimulators(plan: SimulatorPlan[], phase: string, finals: SimulatorFinal[], profile: boolean): Child[] {
    return plan.map((p, i) => {
      const name = `simulator-${p.type}-${phase}`;
      const child = startChild(name, 'simulator/src/main.ts', {
        env: { ...childEnv, LOG_LEVEL: 'info' },
        args: ['--type', p.type, '--devices', String(p.devices), '--seed', String(1000 + i), '--benchmark-interval-ms', String(p.intervalMs), '--max-in-flight', String(options.maxInFlight)],
        execArgv: profile ? profileArgs(name) : [],
        onLine: (line) => {
          const stats = parseSimulatorStats(line);
          if (!stats) return;
          const at = finals.findIndex((f) => f.name === name);
          const final = { name, ...stats };
          if (at >= 0) finals[at] = final;
          else finals.push(final);
        },
      });
      known.set(child.pid, 'simulators');
      cleanup.defer(`stop ${name}`, () => child.stop().then(() => undefined));
      return child;
    });
  }

  /** Runs simulators per `plan` for `seconds` after their first reading lands, sampling once a second. */
  async function loadPhase(name: PhaseName, plan: SimulatorPlan[], seconds: number, warmupS: number, profile: boolean): Promise<{ result: PhaseResult; children: Child[] }> {
    const finals: SimulatorFinal[] = [];
    const headBefore = await readHead();
    const children = startSimulators(plan, name === 'saturation' ? 'sat' : 'fixed', finals, profile);
    const waitStart = performance.now();
    while ((await readHead()) === headBefore) {
      for (const c of children) if (!c.running()) throw new Error(`${c.name} exited at start:\n${c.tail()}`);
      if (performance.now() - waitStart > 60_000) throw new Error(`no simulator reading reached the stream in 60 s:\n${children[0]?.tail()}`);
      await sleep(50);
    }
    const phaseStart = performance.now();
    const first = samples.length;
    await sample(name, phaseStart);
    for (let tick = 1; tick <= seconds; tick++) {
      await sleep(Math.max(0, phaseStart + tick * 1000 - performance.now()));
      await sample(name, phaseStart);
      for (const c of children) if (!c.running()) throw new Error(`${c.name} exited during the run:\n${c.tail()}`);
    }
    const offered = plan.reduce((sum, p) => sum + p.offered, 0);
    return { result: summarize(name, samples.slice(first), warmupS, offered, finals, true), children };
  }

  /** Samples until the projector has committed everything in the stream (and the given simulators have exited). */
  async function drainPhase(name: PhaseName, stopping: Child[]): Promise<PhaseResult> {
    const phaseStart = performance.now();
    const exits = Promise.all(stopping.map((c) => c.stop()));
    let exited = stopping.length === 0;
    void exits.then(() => (exited = true));
    const first = samples.length;
    await sample(name, phaseStart);
    let caughtUp = false;
    for (let tick = 1; tick <= options.drainTimeoutS; tick++) {
      await sleep(Math.max(0, phaseStart + tick * 1000 - performance.now()));
      const s = await sample(name, phaseStart);
      if (exited && s.committed >= s.head) {
        caughtUp = true;
        break;
      }
    }
    await exits;
    return summarize(name, samples.slice(first), 0, null, [], caughtUp);
  }

  const plan = planSimulators(options.rate, options.simulators, options.devicesPerSimulator);
  progress(`saturation phase: ${plan.length} simulators offering ${fmt(options.rate)} readings/s for ${options.durationS} s`);
  // Each load phase's `simulators` list fills in as its simulators log their counters at shutdown, in the drain after it.
  const saturation = await loadPhase('saturation', plan, options.durationS, options.warmupS, true);
  const drain = await drainPhase('drain', saturation.children);

  const fixedPlan = planSimulators(options.fixedRate, options.simulators, options.devicesPerSimulator);
  progress(`fixed-rate phase: ${fmt(options.fixedRate)} readings/s for ${options.fixedS} s`);
  const fixed = await loadPhase('fixed-rate', fixedPlan, options.fixedS, Math.min(2, Math.floor(options.fixedS / 4)), false);
  const finalDrain = await drainPhase('final drain', fixed.children);

  const projectorExit = await projector.stop();
  if (projectorExit !== 0) throw new Error(`the projector exited with ${projectorExit}:\n${projector.tail()}`);
  const rows = await env.db.query<{ n: string }>('SELECT count(*) AS n FROM readings');
  return {
    plan,
    fixedPlan,
    phases: [saturation.result, drain, fixed.result, finalDrain],
    projectorRssMax,
    natsRssMax,
    streamTotal: await readHead(),
    rowsTotal: Number(rows.rows[0]?.n ?? 0),
    profiles,
  };
}

/** The nats-server process we talk to, when it runs on this machine. */
function findNatsServer(databaseName: string, port: string): number | null {
  const classify = classifier(new Map(), databaseName, port);
  return listProcesses().find((p) => p.comm === 'nats-server' && classify(p) === 'nats-server')?.pid ?? null;
}

/** Rates over the window after `warmupS`, lag over the whole phase, CPU averaged over the window. */
function summarize(name: PhaseName, phase: readonly Sample[], warmupS: number, offered: number | null, simulators: SimulatorFinal[], caughtUp: boolean): PhaseResult {
  const first = phase[0];
  const end = phase.at(-1);
  if (!first || !end) throw new Error(`phase ${name} has no samples`);
  const base = [...phase].reverse().find((s) => s.t <= warmupS + 0.05) ?? first;
  const window = phase.filter((s) => s.t > base.t);
  const windowSeconds = end.t - base.t;
  const per = (d: number) => (windowSeconds > 0 ? d / windowSeconds : 0);
  const weights = window.reduce((sum, s) => sum + s.cpu.seconds, 0);
  const cpu: Record<string, number> = {};
  for (const s of window) for (const [group, value] of Object.entries(s.cpu.groups)) cpu[group] = (cpu[group] ?? 0) + (value * s.cpu.seconds) / weights;
  return {
    name,
    offered,
    seconds: end.t,
    windowSeconds,
    publishedPerSecond: per(end.head - base.head),
    committedPerSecond: per(end.committed - base.committed),
    lagMax: Math.max(...phase.map((s) => s.head - s.committed)),
    lagEnd: end.head - end.committed,
    lagSlope: slope([base, ...window].map((s) => [s.t, s.head - s.committed])),
    cpu,
    machineCpu: weights ? window.reduce((sum, s) => sum + s.cpu.machine * s.cpu.seconds, 0) / weights : 0,
    simulators,
    caughtUp,
  };
}
