/**
 * `npm run bench -- subscriptions`: many concurrent graphql-ws subscriptions on one API
 * process, each filtered to one device, while the simulator publishes readings — delivery
 * latency (publish → client), readings delivered against expected, and the API's memory
 * and CPU (issue #4). `--quick` is a small run that finishes within a minute (issue #8).
 */
import { cpus } from 'node:os';
import { fmt, markdownTable, mb, pct, textTable, type Row } from './support/format.ts';
import type { Benchmark, CommonOptions } from './support/harness.ts';
import { createBenchEnv } from './support/isolated.ts';
import { OTHER } from './support/procfs.ts';
import { describeMachine, machineLines, type Machine } from './support/machine.ts';
import type { ProfileSummary } from './support/cpuprofile.ts';
import type { Latency } from './subscriptions/analysis.ts';
import { intervalFor, SEED, SENSOR_TYPE, type Plan } from './subscriptions/plan.ts';
import { runSubscriptions, type RunResult } from './subscriptions/run.ts';
import { summarizeCpu, type PhaseName, type Sample } from './subscriptions/sampler.ts';
import { int } from './support/flags.ts';
import type { Goal } from './support/goals.ts';

/** Targets from the issue. */
const TARGET_P99_MS = 100;
const CORES = cpus().length;
const TARGET_RSS = 2 ** 30;
const HASURA_ANCHOR = 'Hasura serves 10,000 live queries on 2 CPUs at 73 % CPU with 1-second polling';

type SubscriptionsFlags = {
  subscriptions?: string;
  rate?: string;
  devices?: string;
  'per-connection'?: string;
  'load-processes'?: string;
  ramp?: string;
  'max-pending'?: string;
  settle?: string;
  projector?: boolean;
  profile?: boolean;
  'api-node-flags'?: string;
};

export function planOf(options: CommonOptions, flags: SubscriptionsFlags): Plan {
  const subscriptions = int('subscriptions', flags.subscriptions, options.quick ? 500 : 10_000);
  const rate = int('rate', flags.rate, options.quick ? 500 : 5000);
  const devices = int('devices', flags.devices, subscriptions);
  const durationS = options.durationS ?? (options.quick ? 10 : 60);
  return {
    subscriptions,
    rate,
    devices,
    intervalMs: intervalFor(devices, rate),
    sensorType: SENSOR_TYPE,
    seed: SEED,
    perConnection: int('per-connection', flags['per-connection'], 1),
    loadProcesses: int('load-processes', flags['load-processes'], 1),
    rampPerSecond: int('ramp', flags.ramp, options.quick ? 500 : 1000),
    maxPending: int('max-pending', flags['max-pending'], 200),
    settleS: int('settle', flags.settle, options.quick ? 1 : 5, 0),
    durationS,
    drainTimeoutS: 30,
    projector: flags.projector === true,
    profile: flags.profile === true,
    apiNodeFlags: flags['api-node-flags']?.split(/\s+/).filter(Boolean) ?? [],
  };
}

const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
const seconds = (s: number | null) => (s === null ? 'never' : `${s.toFixed(0)} s`);
const cpuText = (percent: number | undefined) => `${(percent ?? 0).toFixed(0)} %`;

function latencyRows(label: string, l: Latency | null): Row[] {
  if (!l) return [[`${label}: no readings`, 'n/a', '']];
  return [
    [`${label} p50`, ms(l.p50), ''],
    [`${label} p90`, ms(l.p90), ''],
    [`${label} p99`, ms(l.p99), ''],
    [`${label} p99.9 / max`, `${ms(l.p999)} / ${ms(l.max)}`, `mean ${ms(l.mean)} over ${fmt(l.count)} deliveries`],
  ];
}

function summaryRows(r: RunResult): Row[] {
  const a = r.analysis;
  const p99 = a.latency?.p99 ?? Infinity;
  const perSubscriptionKb = r.apiRss.idle !== null && r.apiRss.afterRamp !== null ? (r.apiRss.afterRamp - r.apiRss.idle) / r.plan.subscriptions / 1024 : null;
  const deliveriesPerS = a.delivered / r.windowSeconds;
  const apiCpu = r.cpu.mean.api ?? 0;
  const microsPerDelivery = deliveriesPerS > 0 ? (apiCpu * 10_000) / deliveriesPerS : null;
  const latency = latencyRows('delivery latency, publish → client,', a.latency);
  latency[2] = [latency[2]![0]!, latency[2]![1]!, `≤ ${TARGET_P99_MS} ms: ${verdict(p99 <= TARGET_P99_MS)}`];
  return [
    ...latency,
    ['readings delivered / expected (healthy subscriptions)', `${fmt(a.delivered)} / ${fmt(a.expected)}`, `zero loss: ${verdict(a.lost === 0 && a.expected > 0)}; lost ${fmt(a.lost)} on ${fmt(a.subscriptionsWithLoss)} subscriptions`],
    ['duplicates / misdelivered / out of order', `${fmt(a.duplicates)} / ${fmt(a.misdelivered)} / ${fmt(a.outOfOrder)}`, `zero duplicates: ${verdict(a.duplicates === 0)}`],
    ['subscriptions healthy / total', `${fmt(a.healthy)} / ${fmt(r.plan.subscriptions)}`, `failed ${fmt(r.failures.length)} (their readings: ${fmt(a.failedDelivered)} / ${fmt(a.failedExpected)}); API logged ${fmt(r.cutOffLogged)} slow-subscriber cut-offs`],
    ['subscriptions not yet receiving when the window opened', fmt(a.late), a.late ? `left out of the loss figure; their readings: ${fmt(a.lateDelivered)} / ${fmt(a.lateExpected)}` : 'all were receiving'],
    ['subscriptions that got nothing in the window', fmt(a.silent), ''],
    ['readings published in the window', `${fmt(r.window.to - r.window.from)}`, `${fmt((r.window.to - r.window.from) / r.windowSeconds)}/s; offered ${fmt(r.plan.rate)}/s`],
    ['deliveries to clients', `${fmt(deliveriesPerS)}/s`, microsPerDelivery === null ? '' : `${microsPerDelivery.toFixed(0)} µs of API CPU each`],
    ['API RSS max (whole run)', mb(r.apiRss.max), `≤ 1 GiB: ${verdict(r.apiRss.max <= TARGET_RSS)}`],
    ['API RSS idle → after ramp → max in window → end', `${mb(r.apiRss.idle)} → ${mb(r.apiRss.afterRamp)} → ${mb(r.apiRss.windowMax)} → ${mb(r.apiRss.end)}`, perSubscriptionKb === null ? '' : `${perSubscriptionKb.toFixed(0)} KB per subscription`],
    ['API CPU, mean (max) over the window', `${cpuText(apiCpu)} (${cpuText(r.cpu.max.api)})`, '% of one core; the JavaScript runs on one thread (GC helper threads can add past 100 %)'],
    ['load process(es) CPU / simulator CPU', `${cpuText(r.cpu.mean['load (clients)'])} / ${cpuText(r.cpu.mean.simulator)}`, 'mean over the window, % of one core'],
    ['whole machine CPU', cpuText(r.cpu.machine), `of ${CORES * 100} % (${CORES} cores)`],
    ...latencyRows('latency floor: same readings straight from JetStream,', r.analysis.baseline).filter((_, i) => i !== 1),
    [
      'ramp: all sent / all WebSockets acknowledged / all live',
      `${seconds(r.allSubscribedSeconds)} / ${seconds(r.allConnectedSeconds)} / ${r.rampSeconds.toFixed(0)} s`,
      `asked ${fmt(r.plan.rampPerSecond)}/s, at most ${fmt(r.plan.maxPending)} handshakes pending; live = first reading received (each device publishes every ${r.plan.intervalMs} ms)`,
    ],
  ];
}

function cpuRows(r: RunResult): Row[] {
  const groups = Object.keys(r.cpu.mean).sort((x, y) => (r.cpu.mean[y] ?? 0) - (r.cpu.mean[x] ?? 0));
  return [...groups.map((g) => [g, cpuText(r.cpu.mean[g]), cpuText(r.cpu.max[g])]), ['whole machine', cpuText(r.cpu.machine), '']];
}

function phaseRows(r: RunResult): Row[] {
  const phases: PhaseName[] = ['ramp', 'settle', 'window', 'drain'];
  return phases.flatMap((phase) => {
    const samples = r.samples.filter((s) => s.phase === phase);
    const last = samples.at(-1);
    if (!last) return [];
    const seconds = samples.reduce((sum, s) => sum + s.cpu.seconds, 0);
    const mean = (pick: (s: (typeof samples)[number]) => number) => (seconds > 0 ? samples.reduce((sum, s) => sum + pick(s) * s.cpu.seconds, 0) / seconds : 0);
    const before = r.samples[r.samples.indexOf(samples[0]!) - 1];
    const received = last.status.received - (before?.status.received ?? 0);
    return [[phase, `${seconds.toFixed(0)} s`, cpuText(mean((s) => s.cpu.groups.api ?? 0)), cpuText(mean((s) => s.cpu.groups['load (clients)'] ?? 0)), cpuText(mean((s) => s.cpu.machine)), mb(last.apiRss), `${fmt(seconds > 0 ? received / seconds : 0)}/s`]];
  });
}

function timelineRows(r: RunResult): Row[] {
  return r.timeline.map((bucket, i) => {
    const l = r.analysis.timeline[i] ?? null;
    const cpu = summarizeCpu(bucket.samples);
    const rss = Math.max(0, ...bucket.samples.map((s) => s.apiRss ?? 0));
    return [bucket.label, fmt(l?.count ?? 0), l ? ms(l.p50) : 'n/a', l ? ms(l.p99) : 'n/a', l ? ms(l.max) : 'n/a', cpuText(cpu.mean.api), cpuText(cpu.max.api), mb(rss), cpuText(cpu.machine)];
  });
}

/** Big falls of the API's RSS from one second to the next (> 20 %): major garbage collections, as seen from outside. */
function rssFalls(samples: readonly Sample[]): Array<{ at: Sample; from: number; to: number }> {
  const falls: Array<{ at: Sample; from: number; to: number }> = [];
  samples.forEach((s, i) => {
    const before = samples[i - 1]?.apiRss ?? null;
    if (before !== null && s.apiRss !== null && s.apiRss < 0.8 * before) falls.push({ at: s, from: before, to: s.apiRss });
  });
  return falls;
}

/** The stretch of the window with the worst p99, and whether a major GC fell in it or the next one. */
function worstStretch(r: RunResult): string {
  const worst = r.analysis.timeline.reduce((w, l, i) => ((l?.p99 ?? -1) > (r.analysis.timeline[w]?.p99 ?? -1) ? i : w), 0);
  const l = r.analysis.timeline[worst];
  const bucket = r.timeline[worst];
  if (!l || !bucket) return '';
  const nearby = [...bucket.samples, ...(r.timeline[worst + 1]?.samples ?? [])];
  const gc = rssFalls([r.samples[r.samples.indexOf(bucket.samples[0]!) - 1] ?? bucket.samples[0]!, ...nearby])[0];
  const cpu = summarizeCpu(bucket.samples);
  return `The worst stretch of the window (${bucket.label}: p99 ${ms(l.p99)}, max ${ms(l.max)}) ${gc ? `coincides with a major garbage collection (API RSS ${mb(gc.from)} → ${mb(gc.to)})` : 'has no major garbage collection near it'}, with the API at ${cpuText(cpu.mean.api)} of a core (busiest second ${cpuText(cpu.max.api)}). `;
}

function limits(r: RunResult, machine: Machine): string {
  const a = r.analysis;
  const api = r.cpu.mean.api ?? 0;
  const others = Object.entries(r.cpu.mean)
    .filter(([g]) => g !== 'api')
    .sort((x, y) => y[1] - x[1])
    .slice(0, 3)
    .map(([g, v]) => `${g} ${v.toFixed(0)} %`)
    .join(', ');
  const deliveriesPerS = a.delivered / r.windowSeconds;
  const perDelivery = deliveriesPerS > 0 ? (api * 10_000) / deliveriesPerS : 0;
  const headroom = perDelivery > 0 ? (100 * 10_000) / perDelivery : 0;
  const perSubscription = r.apiRss.idle !== null && r.apiRss.afterRamp !== null ? (r.apiRss.afterRamp - r.apiRss.idle) / r.plan.subscriptions : 0;
  const added = a.latency && a.baseline ? `about ${ms(a.latency.p50 - a.baseline.p50)} at p50 and ${ms(a.latency.p99 - a.baseline.p99)} at p99` : 'n/a';
  const cpuBound = api >= 85 || r.cpu.machine >= 180;
  const falls = rssFalls(r.samples.filter((s) => s.phase === 'window' || s.phase === 'drain'));
  return [
    `**What limits it (from this run).** The API process used ${api.toFixed(0)} % of one core on average (busiest second ${(r.cpu.max.api ?? 0).toFixed(0)} %) to deliver ${fmt(deliveriesPerS)} readings/s to ${fmt(a.healthy)} subscribers: about ${perDelivery.toFixed(0)} µs of CPU per delivery, so its one JavaScript thread would saturate near ${fmt(headroom)} deliveries/s on this machine. `,
    `The machine as a whole ran at ${r.cpu.machine.toFixed(0)} % of ${machine.cores * 100} % (next busiest: ${others}); ${cpuBound ? 'CPU is the binding resource, and the API competes with the load generator and the rest of the stack for the same cores.' : (a.latency?.p99 ?? 0) > TARGET_P99_MS ? 'CPU was not saturated on average, so the tail comes from stretches where the API falls behind and its queue takes time to drain.' : 'CPU was not saturated.'} `,
    `Latency: the same readings read straight from JetStream by a Node client arrive at p50 ${a.baseline ? ms(a.baseline.p50) : 'n/a'} / p99 ${a.baseline ? ms(a.baseline.p99) : 'n/a'} after the simulator stamps them (that floor includes the simulator's 50 ms tick batching and publish path); the API path adds ${added} (decode, fan-out, GraphQL execution per subscriber, WebSocket write, and the client's parse). `,
    worstStretch(r),
    `Memory: API RSS ${mb(r.apiRss.idle)} idle, ${mb(r.apiRss.afterRamp)} with all ${fmt(r.plan.subscriptions)} subscriptions open (${(perSubscription / 1024).toFixed(0)} KB each), peaking at ${mb(r.apiRss.max)}; `,
    falls.length
      ? `it fell by a fifth or more ${falls.length} time(s) from one second to the next (${falls.map((f) => `${mb(f.from)} → ${mb(f.to)}`).join(', ')}), so most of the climb between those falls is garbage awaiting a major collection, not live subscription state. `
      : 'it did not fall during the window. ',
    `Anchor: ${HASURA_ANCHOR}; here the API process alone used ${api.toFixed(0)} % of one core for ${fmt(r.plan.subscriptions)} subscriptions pushed ${fmt(r.plan.rate)} readings/s, with no database polling, while the simulator, NATS and the load generator${r.plan.projector ? ', the projector and Postgres' : ''} shared the same ${machine.cores} cores.`,
  ].join('');
}

/** Work outside this benchmark took CPU from it: the figures then understate what the stack does alone. */
function contentionWarning(r: RunResult): string | null {
  const other = r.cpu.mean[OTHER] ?? 0;
  return other >= 20 ? `Warning: processes outside this benchmark used ${other.toFixed(0)} % of one core during the window (max ${(r.cpu.max[OTHER] ?? 0).toFixed(0)} %); they compete for the same cores, so latency and throughput here are worse than the stack alone would give.` : null;
}

function profileLines(title: string, summary: ProfileSummary, table: (h: Row, r: Row[]) => string): string[] {
  return [
    `${title}: ${fmt(summary.busyMs)} ms busy, ${pct(summary.idleShare)} idle`,
    '',
    table(['where (self time)', 'share of busy'], summary.areas.map((x) => [x.name, pct(x.share)])),
    '',
    table(['function (self time)', 'share of busy'], summary.functions.map((x) => [x.name, pct(x.share)])),
    '',
  ];
}

function goals(r: RunResult): Goal[] {
  const a = r.analysis;
  const p99 = a.latency?.p99 ?? Infinity;
  const api = r.cpu.mean.api ?? 0;
  return [
    {
      what: `live fan-out, ${fmt(r.plan.subscriptions)} graphql-ws subscribers, ${fmt(r.plan.rate)} readings/s`,
      goal: 'p99 ≤ 100 ms, zero loss for healthy clients, RSS ≤ 1 GiB',
      measured: `p99 ${a.latency ? `${a.latency.p99.toFixed(0)} ms` : 'n/a'}, lost ${fmt(a.lost)} of ${fmt(a.expected)}, RSS ${mb(r.apiRss.max)}`,
      baseline: `same readings straight from JetStream p99 ${a.baseline ? `${a.baseline.p99.toFixed(0)} ms` : 'n/a'}`,
      ratio: a.latency && a.baseline ? `${(a.latency.p99 / a.baseline.p99).toFixed(1)}× p99` : 'n/a',
      met: p99 <= TARGET_P99_MS && a.lost === 0 && a.expected > 0 && r.apiRss.max <= TARGET_RSS,
      limit: `the API's one event loop (${api.toFixed(0)} % of a core) and its garbage collector: the tail and the RSS peak come with major GCs`,
    },
  ];
}

function report(r: RunResult, machine: Machine, startedAt: Date, mode: string) {
  const p = r.plan;
  const runLine =
    `${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${mode} run: ${fmt(p.subscriptions)} graphql-ws subscriptions ` +
    `(${p.perConnection === 1 ? 'each on its own WebSocket' : `${p.perConnection} per WebSocket, ${fmt(r.connections)} WebSockets`}) from ${p.loadProcesses} load process(es), ` +
    `each filtered to one device (\`readingRecorded(filter: {sensorType, deviceCode, deviceNumber})\`); simulator ${fmt(p.devices)} ${p.sensorType} devices every ${p.intervalMs} ms = ${fmt(p.rate)} readings/s (seed ${p.seed}); ` +
    `window ${r.windowSeconds.toFixed(0)} s after a ${r.rampSeconds.toFixed(0)} s ramp and ${p.settleS} s settle; projector ${p.projector ? 'running' : 'not running'}${p.profile ? '; PROFILED (node --cpu-prof on the API adds overhead)' : ''}${p.apiNodeFlags.length ? `; API run with node ${p.apiNodeFlags.join(' ')}` : ''}`;
  const fd = `open-file limits: API ${r.fdLimits.api?.soft ?? '?'}, load ${r.fdLimits.load.map((l) => l?.soft ?? '?').join(', ')}; WebSocket closes by code: ${Object.entries(r.closeCodes).map(([c, n]) => `${c}×${fmt(n)}`).join(', ') || 'none before the end'}`;
  const failures = r.failures.slice(0, 5).map((f) => `subscription ${f.subscription}: ${f.message}`);
  const SUMMARY: Row = ['measure', 'value', 'target / note'];
  const CPU: Row = ['process', 'CPU mean', 'CPU max'];
  const TIMELINE: Row = ['window, by arrival', 'deliveries', 'p50', 'p99', 'max', 'API CPU', 'API CPU max', 'API RSS max', 'machine CPU'];
  const PHASES: Row = ['phase', 'length', 'API CPU', 'load CPU', 'machine CPU', 'API RSS at end', 'deliveries'];
  const contention = contentionWarning(r);
  const sim = r.simulator;
  const simLine = sim ? `simulator counters at shutdown: generated ${fmt(sim.generated)}, published ${fmt(sim.published)}, skipped ${fmt(sim.skipped)}, errors ${fmt(sim.errors)}, late ticks ${fmt(sim.lateTicks)}` : 'simulator counters: not logged';
  const profiles = r.profile ? [[`CPU profile of the API over the window (${r.profile.file})`, r.profile.window], ['CPU profile of the API over the ramp', r.profile.ramp]] as const : [];
  const text = [
    `subscriptions — ${runLine}`,
    ...machineLines(machine),
    ...(contention ? [contention] : []),
    '',
    textTable(SUMMARY, summaryRows(r)),
    '',
    `CPU by process over the window, % of one core (${CORES} cores = ${CORES * 100} %):`,
    textTable(CPU, cpuRows(r)),
    '',
    textTable(PHASES, phaseRows(r)),
    '',
    textTable(TIMELINE, timelineRows(r)),
    '',
    simLine,
    fd,
    ...failures,
    '',
    ...profiles.flatMap(([title, summary]) => profileLines(title, summary, textTable)),
  ].join('\n');
  const markdown = [
    `_${runLine}._`,
    '',
    ...machineLines(machine).map((l) => `- ${l}`),
    ...(contention ? [`- **${contention}**`] : []),
    `- Load and API share the machine: the load process(es) hold every WebSocket and parse every message on the same ${machine.cores} cores as the API, NATS and the simulator.`,
    '',
    markdownTable(SUMMARY, summaryRows(r)),
    '',
    'Latency is the client\'s receive time minus the reading\'s `recordedAt` (the event\'s `occurredAt`, stamped by the simulator when it emits the reading; same machine clock, millisecond resolution). "Expected" is, per subscription, the readings of its device that the stream stored in the window (read back from the stream afterwards); only those are counted, so warm-up deliveries do not inflate the figures. The latency floor is a plain JetStream ordered consumer in the load process reading the same readings.',
    '',
    '**CPU by process over the window** (% of one core, read from /proc once a second; a child process counts with its parent; `other` is everything else on the machine):',
    '',
    markdownTable(CPU, cpuRows(r)),
    '',
    '**Phases** (deliveries = readings received by the clients per second):',
    '',
    markdownTable(PHASES, phaseRows(r)),
    '',
    '**Through the window** (latency of the deliveries that arrived in each stretch, with the API\'s CPU — mean and busiest second — and memory over the same seconds; a drop in RSS is a major garbage collection):',
    '',
    markdownTable(TIMELINE, timelineRows(r)),
    '',
    `- ${simLine}`,
    `- ${fd}`,
    ...failures.map((f) => `- ${f}`),
    '',
    ...profiles.flatMap(([title, summary]) => profileLines(title, summary, markdownTable)),
    limits(r, machine),
  ].join('\n');
  return { text: `${text}\n${limits(r, machine)}`, markdown, goals: goals(r) };
}

export const subscriptions: Benchmark<SubscriptionsFlags> = {
  name: 'subscriptions',
  title: 'Subscriptions: live readings to many graphql-ws clients',
  flags: {
    subscriptions: { type: 'string' },
    rate: { type: 'string' },
    devices: { type: 'string' },
    'per-connection': { type: 'string' },
    'load-processes': { type: 'string' },
    ramp: { type: 'string' },
    'max-pending': { type: 'string' },
    settle: { type: 'string' },
    projector: { type: 'boolean' },
    profile: { type: 'boolean' },
    'api-node-flags': { type: 'string' },
  },
  usage: [
    '--subscriptions <n>   concurrent subscriptions, each filtered to one device (default 10,000; quick 500)',
    '--rate <n>            readings/s the simulator offers (default 5,000; quick 500)',
    '--devices <n>         simulator devices (default: one per subscription); the interval is chosen to offer the rate',
    '--per-connection <n>  subscriptions sharing one WebSocket (default 1: a connection each)',
    '--load-processes <n>  client processes the subscriptions are split over (default 1)',
    '--ramp <n>            subscriptions opened per second (default 1,000; quick 500)',
    '--max-pending <n>     WebSockets waiting for connection_ack at once while ramping (default 200)',
    '--settle <s>          seconds between the last subscription going live and the window (default 5; quick 1)',
    '--projector           run the projector too (it competes for the same cores; subscriptions read the stream directly)',
    '--profile             run the API under node --cpu-prof and summarize the window and the ramp',
    '--api-node-flags="<flags>"  extra node flags for the API process (e.g. --api-node-flags="--max-old-space-size=512")',
  ],
  async run(options, flags, { cleanup, progress }) {
    const plan = planOf(options, flags);
    const startedAt = new Date();
    const env = await createBenchEnv(cleanup);
    progress(`database ${env.databaseName}, streams BENCH_${env.id.toUpperCase()}_*`);
    const machine = await describeMachine(env.db, env.nc);
    const result = await runSubscriptions(env, cleanup, plan, progress);
    return report(result, machine, startedAt, options.quick ? 'quick' : 'full');
  },
};
