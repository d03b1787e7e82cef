/**
 * One subscriptions run: the real API (and optionally the projector) as child processes
 * on an isolated database and stream, the real simulator publishing, load processes
 * holding the graphql-ws subscriptions. Phases: ramp (open every subscription until each
 * has had a reading), settle, the measured window (sampled once a second from /proc),
 * then the simulator stops and the last deliveries drain. Afterwards the stream is read
 * back over the window to say which readings each subscription should have got.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/children.ts';
import type { Cleanup } from '../support/cleanup.ts';
import { monotonicMicros, sliceProfile } from '../support/cpuprofile-window.ts';
import { summarizeProfile, type ProfileSummary } from '../support/cpuprofile.ts';
import type { FdLimit } from '../support/fd-limit.ts';
import { fmt } from '../support/format.ts';
import type { BenchEnv } from '../support/isolated.ts';
import { rssBytes } from '../support/procfs.ts';
import { analyze, type Analysis } from './analysis.ts';
import { devicesOfWindow } from './expected.ts';
import { assignDevices, deviceSubject, simulatorDevices, type Plan } from './plan.ts';
import { startApi, startLoads, startProjector, startSimulator } from './processes.ts';
import type { SimulatorStats } from '../support/simulator-stats.ts';
import type { LoadResult } from './protocol.ts';
import { Sampler, summarizeCpu, type CpuSummary, type PhaseName, type Sample } from './sampler.ts';

export interface RunResult {
  plan: Plan;
  connections: number;
  fdLimits: { api: FdLimit | null; load: Array<FdLimit | null> };
  /** Seconds from the first subscription sent until every one had a reading (or the wait gave up). */
  rampSeconds: number;
  /** Seconds until every subscription was sent, and until every WebSocket was acknowledged (null: not within the ramp). */
  allSubscribedSeconds: number | null;
  allConnectedSeconds: number | null;
  windowSeconds: number;
  window: { from: number; to: number };
  drainSeconds: number;
  analysis: Analysis;
  failures: Array<{ subscription: number; message: string }>;
  closeCodes: Record<string, number>;
  cutOffLogged: number;
  apiRss: { idle: number | null; afterRamp: number | null; windowMax: number; max: number; end: number | null };
  loadRssMax: number;
  /** CPU over the window. */
  cpu: CpuSummary;
  /** The window cut into equal buckets (and one for what arrived after it), for `analysis.timeline`. */
  timeline: Array<{ label: string; samples: Sample[] }>;
  simulator: SimulatorStats | null;
  samples: Sample[];
  profile: { window: ProfileSummary; ramp: ProfileSummary; file: string } | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const elapsed = (from: number) => (performance.now() - from) / 1000;

/** Samples once a second from now until `done` says so (it sees each sample) or `maxSeconds` pass. */
async function phase(sampler: Sampler, name: PhaseName, maxSeconds: number, done: (s: Sample) => boolean = () => false): Promise<Sample[]> {
  const start = performance.now();
  const first = sampler.samples.length;
  for (let tick = 1; tick <= maxSeconds; tick++) {
    await sleep(Math.max(0, start + tick * 1000 - performance.now()));
    if (done(sampler.sample(name, start))) break;
  }
  return sampler.samples.slice(first);
}

/** The main thread's profile (Node writes one per thread; it is the big one), cut to the ramp and to the window. */
function summarizeProfiles(dir: string, ramp: [number, number], window: [number, number]): RunResult['profile'] {
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir)
    .filter((f) => /^CPU\..*\.cpuprofile$/.test(f))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  const file = files[0];
  if (!file) return null;
  sliceProfile(file, join(dir, 'window.cpuprofile'), ...window);
  sliceProfile(file, join(dir, 'ramp.cpuprofile'), ...ramp);
  return { window: summarizeProfile(join(dir, 'window.cpuprofile'), ROOT, 20), ramp: summarizeProfile(join(dir, 'ramp.cpuprofile'), ROOT, 12), file };
}

/** About a dozen equal buckets over the window, then one for the drain after it (late deliveries land there). */
function timelineOf(windowStartAt: number, window: Sample[], drain: Sample[]) {
  const size = Math.max(1, Math.round(window.length / 12));
  const edges = [windowStartAt];
  const buckets: Array<{ label: string; samples: Sample[] }> = [];
  for (let i = 0; i < window.length; i += size) {
    const part = window.slice(i, i + size);
    edges.push(part.at(-1)!.at);
    buckets.push({ label: `${i}–${i + part.length} s`, samples: part });
  }
  if (drain.length) {
    edges.push(drain.at(-1)!.at);
    buckets.push({ label: 'after the window', samples: drain });
  }
  return { edges, buckets };
}

function analyzeResults(results: LoadResult[], devicesOfSequence: Int32Array, deviceOfSubscription: Int32Array, window: { from: number; to: number }, timelineEdges: number[]) {
  const failures = results.flatMap((r) => Object.entries(r.failures).map(([s, message]) => ({ subscription: Number(s), message })));
  const closeCodes: Record<string, number> = {};
  for (const r of results) for (const [code, n] of Object.entries(r.closeCodes)) closeCodes[code] = (closeCodes[code] ?? 0) + n;
  const analysis = analyze({
    window,
    deviceOfSequence: devicesOfSequence,
    deviceOfSubscription,
    failed: new Set(failures.map((f) => f.subscription)),
    deliveries: results.flatMap((r) => r.deliveries),
    baseline: results.flatMap((r) => r.baseline),
    timelineEdges,
  });
  return { failures, closeCodes, analysis };
}

export async function runSubscriptions(env: BenchEnv, cleanup: Cleanup, plan: Plan, progress: (line: string) => void): Promise<RunResult> {
  const names = await env.createStreams('subs');
  const work = mkdtempSync(join(tmpdir(), 'bench-subscriptions-'));
  cleanup.defer(`remove ${work}`, () => rmSync(work, { recursive: true, force: true }));
  const readHead = async () => (await env.jsm.streams.info(names.stream)).state.last_seq;
  const connections = Math.ceil(plan.subscriptions / plan.perConnection);
  const sampler = new Sampler(env.natsUrl, env.databaseName, progress);

  const profileDir = plan.profile ? join(ROOT, '.data', 'bench', 'profiles', `subscriptions-${new Date().toISOString().replace(/[:.]/g, '-')}`) : null;
  const api = await startApi(env, names, cleanup, plan, connections, profileDir);
  sampler.watch(api.child, 'api');
  progress(`API ready (pid ${api.child.pid}, port ${api.port}, open-file limit ${api.fds?.soft ?? '?'})`);
  if (plan.projector) sampler.watch(startProjector(env, names, cleanup), 'projector');
  const apiRssIdle = rssBytes(api.child.pid);

  // The simulator's own devices, drawn from its seed: subscription i filters to device i.
  const devices = simulatorDevices(plan.sensorType, plan.devices, plan.seed);
  const assigned = assignDevices(devices, plan.subscriptions);
  const simulator = await startSimulator(env, names, cleanup, plan, readHead);
  sampler.watch(simulator.child, 'simulator');
  progress(`simulator publishing: ${fmt(plan.devices)} devices every ${plan.intervalMs} ms = ${fmt(plan.rate)} readings/s`);

  const loads = startLoads(env, names, cleanup, plan, api, assigned, work);
  for (const child of loads.children) sampler.watch(child, 'load (clients)');
  sampler.watchStatus(loads.status);
  progress(`ramp: ${fmt(plan.subscriptions)} subscriptions over ${fmt(connections)} WebSockets from ${loads.children.length} load process(es), ${fmt(plan.rampPerSecond)}/s`);

  // Ramp: until every subscription has had a reading (each device publishes once an interval), or the wait gives up.
  const rampStart = performance.now();
  const rampMicros = monotonicMicros();
  const rampLimitS = Math.ceil(plan.subscriptions / plan.rampPerSecond + 30 + (2 * plan.intervalMs) / 1000);
  const ramp = await phase(sampler, 'ramp', rampLimitS, (s) => s.status.live + s.status.failed >= plan.subscriptions);
  const rampSeconds = elapsed(rampStart);
  const rampEndMicros = monotonicMicros();
  const notLive = plan.subscriptions - (ramp.at(-1)?.status.live ?? 0) - (ramp.at(-1)?.status.failed ?? 0);
  if (notLive > 0) progress(`ramp: ${fmt(notLive)} subscriptions still without a reading after ${rampLimitS} s; measuring anyway`);
  await phase(sampler, 'settle', plan.settleS);
  const apiRssAfterRamp = rssBytes(api.child.pid);

  // The measured window, then the simulator stops: every reading up to the head is owed to someone.
  const from = await readHead();
  const windowStartAt = Date.now();
  const windowStart = performance.now();
  const windowMicros = monotonicMicros();
  sampler.restartCpu();
  const windowSamples = await phase(sampler, 'window', plan.durationS);
  const windowEndMicros = monotonicMicros();
  const simulatorExit = await simulator.child.stop();
  if (simulatorExit !== 0) throw new Error(`the simulator exited with ${simulatorExit}:\n${simulator.child.tail()}`);
  const to = await readHead();
  const windowSeconds = elapsed(windowStart);
  progress(`window closed: stream sequences ${fmt(from + 1)}…${fmt(to)} (${fmt(to - from)} readings in ${windowSeconds.toFixed(1)} s)`);

  // Drain: until nothing more arrives for two seconds.
  const drainStart = performance.now();
  let quietFor = 0;
  await phase(sampler, 'drain', plan.drainTimeoutS, (s) => {
    const before = sampler.samples.at(-2);
    quietFor = before && s.status.received === before.status.received && s.status.baselineReceived === before.status.baselineReceived ? quietFor + 1 : 0;
    return quietFor >= 2;
  });
  const drainSeconds = elapsed(drainStart);
  const timeline = timelineOf(windowStartAt, windowSamples, sampler.samples.filter((x) => x.phase === 'drain'));
  const apiRssEnd = rssBytes(api.child.pid);
  const results = await loads.collect();
  const apiExit = await api.child.stop(30_000);
  if (apiExit !== 0) progress(`the API exited with ${apiExit}: ${api.child.tail().split('\n').slice(-3).join(' | ')}`);

  const deviceOfSubject = new Map(devices.map((d, i) => [deviceSubject(names.prefix, d), i]));
  const deviceOfSubscription = Int32Array.from(assigned, (d) => deviceOfSubject.get(deviceSubject(names.prefix, d))!);
  const subscribed = new Map([...deviceOfSubscription].map((i) => [deviceSubject(names.prefix, devices[i]!), i]));
  const devicesOfSequence = await devicesOfWindow(env.nc, names, from, to, subscribed);
  const { failures, closeCodes, analysis } = analyzeResults(results, devicesOfSequence, deviceOfSubscription, { from, to }, timeline.edges);

  const rampSamples = sampler.samples.filter((x) => x.phase === 'ramp');
  return {
    plan,
    connections,
    fdLimits: { api: api.fds, load: loads.fds },
    rampSeconds,
    allSubscribedSeconds: rampSamples.find((x) => x.status.subscribed >= plan.subscriptions)?.t ?? null,
    allConnectedSeconds: rampSamples.find((x) => x.status.connected >= connections)?.t ?? null,
    windowSeconds,
    window: { from, to },
    drainSeconds,
    analysis,
    failures,
    closeCodes,
    cutOffLogged: api.cutOffs(),
    apiRss: { idle: apiRssIdle, afterRamp: apiRssAfterRamp, windowMax: Math.max(0, ...windowSamples.map((s) => s.apiRss ?? 0)), max: sampler.apiRssMax, end: apiRssEnd },
    loadRssMax: sampler.loadRssMax,
    cpu: summarizeCpu(windowSamples),
    timeline: timeline.buckets,
    simulator: simulator.stats(),
    samples: sampler.samples,
    profile: profileDir ? summarizeProfiles(profileDir, [rampMicros, rampEndMicros], [windowMicros, windowEndMicros]) : null,
  };
}
