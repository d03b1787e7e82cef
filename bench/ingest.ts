/**
 * `npm run bench -- ingest`: sustained end-to-end readings/s (published → committed
 * in the read model) with the whole stack on this machine, and in the same run the
 * raw baselines — JetStream publish/consume from Node, event decoding, COPY and the
 * projector's own INSERT of the same rows — so the figures say where the time goes.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import type { SensorType } from '../schema/src/sensors.ts';
import { buildReadings, type ReadingMessage } from './ingest/messages.ts';
import { consumeAll, publishAll, type Timed } from './ingest/jetstream-baseline.ts';
import { decodeAll } from './ingest/decode-baseline.ts';
import { copyRows, insertLikeProjector } from './ingest/postgres-baseline.ts';
import { runEndToEnd, type EndToEndOptions, type EndToEndResult, type PhaseResult } from './ingest/end-to-end.ts';
import { ROOT } from './support/children.ts';
import { summarizeProfile, type ProfileSummary } from './support/cpuprofile.ts';
import { fmt, markdownTable, mb, pct, ratio, textTable, type Row } from './support/format.ts';
import type { Goal } from './support/goals.ts';
import type { Benchmark, CommonOptions } from './support/harness.ts';
import { createBenchEnv, type BenchEnv } from './support/isolated.ts';
import { describeMachine, machineLines, type Machine } from './support/machine.ts';
import { int } from './support/flags.ts';

/** Targets from the issue. */
const TARGET_E2E = 20_000;
const PRODUCT_GOAL = 50_000;
const FIXED_RATE = 10_000;
const RSS_LIMIT = 300 * 2 ** 20;
/** The projector's default PROJECTOR_BATCH_SIZE: the baselines batch as it does. */
const DEFAULT_BATCH = 5000;
const BASELINE_TYPES: readonly SensorType[] = ['temperature', 'humidity', 'pressure'];

type IngestFlags = {
  rate?: string;
  simulators?: string;
  devices?: string;
  'max-in-flight'?: string;
  messages?: string;
  'batch-size'?: string;
  'fixed-duration'?: string;
  profile?: boolean;
  'projector-node-flags'?: string;
};

interface Baselines {
  messages: number;
  meanPayloadBytes: number;
  window: number;
  publish: Timed;
  publishNoTraces: Timed;
  consumeEach: Timed;
  consumeBatch: Timed;
  /** Publish then consume (projector's ack pattern), one after the other: N / (t_publish + t_consume). */
  combined: number;
  decode: Timed;
  copy: Timed;
  insert: Timed;
}

interface Settings {
  mode: string;
  e2e: EndToEndOptions;
  messages: number;
  batchSize: number;
}

function settings(options: CommonOptions, flags: IngestFlags): Settings {
  const durationS = options.durationS ?? (options.quick ? 6 : 60);
  const batchSize = int('batch-size', flags['batch-size'], DEFAULT_BATCH);
  const profileDir = flags.profile ? join(ROOT, '.data', 'bench', 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : null;
  return {
    mode: options.quick ? 'quick' : 'full',
    messages: int('messages', flags.messages, options.quick ? 20_000 : 200_000),
    batchSize,
    e2e: {
      rate: int('rate', flags.rate, PRODUCT_GOAL),
      simulators: int('simulators', flags.simulators, 3),
      devicesPerSimulator: int('devices', flags.devices, 2000),
      maxInFlight: int('max-in-flight', flags['max-in-flight'], 1024),
      durationS,
      warmupS: durationS >= 30 ? 10 : Math.max(1, Math.floor(durationS / 4)),
      fixedRate: FIXED_RATE,
      fixedS: int('fixed-duration', flags['fixed-duration'], options.quick ? Math.min(5, durationS) : 20),
      drainTimeoutS: options.quick ? 15 : 120,
      batchSize: flags['batch-size'] === undefined ? undefined : batchSize,
      profileDir,
      projectorNodeFlags: flags['projector-node-flags']?.split(/\s+/).filter(Boolean) ?? [],
    },
  };
}

async function runBaselines(env: BenchEnv, s: Settings, progress: (line: string) => void): Promise<Baselines> {
  const names = await env.createStreams('raw');
  const { messages, meanPayloadBytes } = buildReadings(names.prefix, s.messages, BASELINE_TYPES, 2000, Date.now());
  const window = s.e2e.maxInFlight;
  progress(`baseline: publishing ${fmt(messages.length)} readings (${meanPayloadBytes.toFixed(0)} B each) with acks, window ${window}`);
  // The variant first: whatever the first run pays in JIT warm-up counts against it, not against the default.
  const publishNoTraces = await publishWithoutAsyncTraces(env, messages, window);
  progress(`  publish, noAsyncTraces ${fmt(publishNoTraces.perSecond)}/s`);
  const publish = await publishAll(env.nc, messages, window);
  progress(`  publish ${fmt(publish.perSecond)}/s`);
  const consumeEach = await consumeAll(env.nc, env.jsm, names.stream, messages.length, 'each', s.batchSize);
  progress(`  consume, ack each ${fmt(consumeEach.perSecond)}/s`);
  const consumeBatch = await consumeAll(env.nc, env.jsm, names.stream, messages.length, 'batch', s.batchSize);
  progress(`  consume, AckAll per ${fmt(s.batchSize)} ${fmt(consumeBatch.perSecond)}/s`);
  await env.jsm.streams.delete(names.stream);
  const decode = decodeAll(messages, names.prefix, 300_000);
  progress(`  decodeStored ${fmt(decode.perSecond)}/s`);
  const copy = await copyRows(env.db, [messages]);
  progress(`  COPY ${fmt(copy.perSecond)} rows/s`);
  const insert = await insertLikeProjector(env.db, [messages], s.batchSize);
  progress(`  projector's SQL ${fmt(insert.perSecond)} rows/s`);
  return {
    messages: messages.length,
    meanPayloadBytes,
    window,
    publish,
    publishNoTraces,
    consumeEach,
    consumeBatch,
    combined: messages.length / (publish.seconds + consumeBatch.seconds),
    decode,
    copy,
    insert,
  };
}

/**
 * The same publishes on a connection with `noAsyncTraces` (the client then does not
 * build an Error per request to keep its stack), into a stream of their own.
 */
async function publishWithoutAsyncTraces(env: BenchEnv, messages: ReadingMessage[], window: number): Promise<Timed> {
  const names = await env.createStreams('rawq');
  const nc = await connect({ servers: env.natsUrl.split(','), name: `bench-${env.id}-no-traces`, noAsyncTraces: true });
  try {
    const own = messages.map((m) => ({ ...m, subject: m.subject.replace(/^[^.]+/, names.prefix) }));
    return await publishAll(nc, own, window);
  } finally {
    await nc.close();
    await env.jsm.streams.delete(names.stream);
  }
}

function profileSummaries(e2e: EndToEndResult): Array<{ role: string; summary: ProfileSummary }> {
  const out: Array<{ role: string; summary: ProfileSummary }> = [];
  for (const dir of e2e.profiles) {
    let files: string[] = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
    } catch {
      continue;
    }
    // Node writes one profile per thread; the module loader's thread is nearly idle. Keep the main thread's.
    const busiest = files.map((f) => summarizeProfile(join(dir, f), ROOT)).sort((a, b) => b.busyMs - a.busyMs)[0];
    if (busiest) out.push({ role: dir.split('/').at(-1) ?? dir, summary: busiest });
  }
  return out;
}

const perS = (n: number) => `${fmt(n)}/s`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');

function phase(e2e: EndToEndResult, name: PhaseResult['name']): PhaseResult {
  const found = e2e.phases.find((p) => p.name === name);
  if (!found) throw new Error(`no ${name} phase`);
  return found;
}

interface Tables {
  summary: Row[];
  baselines: Row[];
  phases: Row[];
  cpu: { header: Row; rows: Row[] };
  simulators: Row[];
}

function tables(s: Settings, b: Baselines, e2e: EndToEndResult): Tables {
  const sat = phase(e2e, 'saturation');
  const drain = phase(e2e, 'drain');
  const fixed = phase(e2e, 'fixed-rate');
  const e2eRate = sat.committedPerSecond;
  const fixedBounded = fixed.lagEnd <= 2 * FIXED_RATE && fixed.lagSlope < 0.05 * FIXED_RATE;
  const summary: Row[] = [
    ['end to end, committed readings/s (saturation, steady window)', perS(e2eRate), `≥ ${fmt(TARGET_E2E)}/s: ${verdict(e2eRate >= TARGET_E2E)}; goal ${fmt(PRODUCT_GOAL)}/s: ${pct(e2eRate / PRODUCT_GOAL)}`],
    ['stream ingest during saturation (acked publishes/s)', perS(sat.publishedPerSecond), `offered ${perS(sat.offered ?? 0)}`],
    ['projector alone, catching up after saturation', drain.caughtUp || drain.windowSeconds > 0 ? perS(drain.committedPerSecond) : 'n/a', `backlog ${fmt(sat.lagEnd)} → ${fmt(drain.lagEnd)} in ${drain.seconds.toFixed(0)} s`],
    [`fixed ${fmt(FIXED_RATE)}/s: committed readings/s`, perS(fixed.committedPerSecond), `published ${perS(fixed.publishedPerSecond)}`],
    [`fixed ${fmt(FIXED_RATE)}/s: lag max / at end`, `${fmt(fixed.lagMax)} / ${fmt(fixed.lagEnd)}`, `trend ${fixed.lagSlope >= 0 ? '+' : ''}${fmt(fixed.lagSlope)}/s; bounded: ${verdict(fixedBounded)}`],
    ['saturation: lag max / at end', `${fmt(sat.lagMax)} / ${fmt(sat.lagEnd)}`, `trend ${sat.lagSlope >= 0 ? '+' : ''}${fmt(sat.lagSlope)}/s`],
    ['projector RSS max', mb(e2e.projectorRssMax), `< 300 MB: ${verdict(e2e.projectorRssMax < RSS_LIMIT)}`],
    ['nats-server RSS max', mb(e2e.natsRssMax), ''],
    ['readings in stream / rows in read model at end', `${fmt(e2e.streamTotal)} / ${fmt(e2e.rowsTotal)}`, e2e.streamTotal === e2e.rowsTotal ? 'all committed' : 'MISMATCH'],
  ];
  const baselines: Row[] = [
    [`JetStream publish, acked, window ${fmt(b.window)}`, perS(b.publish.perSecond), ratio(e2eRate, b.publish.perSecond)],
    ['JetStream publish, same, client option noAsyncTraces', perS(b.publishNoTraces.perSecond), ratio(e2eRate, b.publishNoTraces.perSecond)],
    ['JetStream consume, pull, ack each message', perS(b.consumeEach.perSecond), ratio(e2eRate, b.consumeEach.perSecond)],
    [`JetStream consume, pull, AckAll per ${fmt(s.batchSize)} (projector's pattern)`, perS(b.consumeBatch.perSecond), ratio(e2eRate, b.consumeBatch.perSecond)],
    ['JetStream publish + consume, one after the other', perS(b.combined), ratio(e2eRate, b.combined)],
    ["decodeStored (the projector's JSON.parse + zod + subject check), one core", perS(b.decode.perSecond), ratio(e2eRate, b.decode.perSecond)],
    ['COPY into a copy of readings (same indexes)', perS(b.copy.perSecond), ratio(e2eRate, b.copy.perSecond)],
    [`projector's SQL (applyEvents into copies of all read-model tables), ${fmt(s.batchSize)} rows a transaction`, perS(b.insert.perSecond), ratio(e2eRate, b.insert.perSecond)],
  ];
  const phases: Row[] = e2e.phases.map((p) => [
    p.name,
    p.offered === null ? '' : perS(p.offered),
    `${p.seconds.toFixed(0)} s`,
    `${p.windowSeconds.toFixed(0)} s`,
    perS(p.publishedPerSecond),
    perS(p.committedPerSecond),
    fmt(p.lagMax),
    fmt(p.lagEnd),
    `${fmt(p.machineCpu)} %`,
  ]);
  const shown = [sat, drain, fixed];
  const groups = [...new Set(shown.flatMap((p) => Object.keys(p.cpu)))].sort((a, c) => (sat.cpu[c] ?? 0) - (sat.cpu[a] ?? 0));
  // CPU time per reading: % of one core × 10,000 / readings per second = µs. Publishers are
  // charged per reading published, the projector and its database per reading committed, the
  // rest per reading moved (the larger of the two).
  const micros = (p: PhaseResult, group: string | null, percent: number) => {
    const rate =
      group === 'simulators'
        ? p.publishedPerSecond
        : group === 'projector' || group?.startsWith('postgres (bench')
          ? p.committedPerSecond
          : Math.max(p.publishedPerSecond, p.committedPerSecond);
    return rate > 0 ? `${((percent * 10_000) / rate).toFixed(1)} µs` : 'n/a';
  };
  const cpu = {
    header: ['process', ...shown.flatMap((p) => [`${p.name} CPU`, 'per reading'])] as Row,
    rows: [
      ...groups.map((g) => [g, ...shown.flatMap((p) => [`${(p.cpu[g] ?? 0).toFixed(0)} %`, micros(p, g, p.cpu[g] ?? 0)])]),
      ['whole machine', ...shown.flatMap((p) => [`${p.machineCpu.toFixed(0)} %`, micros(p, null, p.machineCpu)])],
    ],
  };
  const simulators: Row[] = [...sat.simulators, ...fixed.simulators].map((f) => [f.name, fmt(f.generated), fmt(f.published), fmt(f.skipped), fmt(f.errors), fmt(f.lateTicks)]);
  return { summary, baselines, phases, cpu, simulators };
}

const SUMMARY_HEADER: Row = ['measure', 'value', 'target / note'];
const BASELINE_HEADER: Row = ['path (same messages / rows)', 'rate', 'end to end ÷ this'];
const PHASE_HEADER: Row = ['phase', 'offered', 'length', 'rate window', 'published', 'committed', 'lag max', 'lag end', 'machine CPU'];
const SIM_HEADER: Row = ['simulator', 'generated', 'published', 'skipped', 'errors', 'late ticks'];

function planText(e2e: EndToEndResult): string {
  const describe = (plan: EndToEndResult['plan']) =>
    `${plan.length} simulators (${plan.map((p) => p.type).join(', ')}), ${fmt(plan[0]?.devices ?? 0)} devices each every ${plan[0]?.intervalMs ?? 0} ms = ${perS(plan.reduce((a, p) => a + p.offered, 0))} offered`;
  return `saturation: ${describe(e2e.plan)}; fixed rate: ${describe(e2e.fixedPlan)}`;
}

function profileText(profiles: Array<{ role: string; summary: ProfileSummary }>, table: (h: Row, r: Row[]) => string): string[] {
  return profiles.flatMap(({ role, summary }) => [
    `CPU profile of ${role}: ${fmt(summary.busyMs)} ms busy, ${pct(summary.idleShare)} idle`,
    '',
    table(['where (self time)', 'share of busy'], summary.areas.map((a) => [a.name, pct(a.share)])),
    '',
    table(['function (self time)', 'share of busy'], summary.functions.map((f) => [f.name, pct(f.share)])),
    '',
  ]);
}

/** Processes outside this run (other tests, other databases) took CPU the figures did not get: say how much. */
const OUTSIDE_GROUPS = ['other', 'postgres (other databases)', 'other nats-server'];

function interferenceLine(e2e: EndToEndResult): string {
  const outside = (p: PhaseResult) => OUTSIDE_GROUPS.reduce((sum, g) => sum + (p.cpu[g] ?? 0), 0);
  const [sat, drain, fixed] = [phase(e2e, 'saturation'), phase(e2e, 'drain'), phase(e2e, 'fixed-rate')].map(outside) as [number, number, number];
  const worst = Math.max(sat, drain, fixed);
  const verdict = worst >= 25 ? 'the machine was shared: these rates are lower than this stack gets on an idle machine' : 'the machine was otherwise quiet';
  return `Processes outside this run used ${sat.toFixed(0)} % / ${drain.toFixed(0)} % / ${fixed.toFixed(0)} % of one core (saturation / drain / fixed rate): ${verdict}.`;
}

function goals(b: Baselines, e2e: EndToEndResult): Goal[] {
  const sat = phase(e2e, 'saturation');
  const rate = sat.committedPerSecond;
  // µs of CPU per reading by the stack's parts: what the two cores are spent on.
  const per = (group: string, by: number) => (by > 0 ? `${(((sat.cpu[group] ?? 0) * 10_000) / by).toFixed(0)}` : 'n/a');
  const postgres = Object.keys(sat.cpu).filter((g) => g.startsWith('postgres (bench') || g.startsWith('postgres (shared'));
  const pgMicros = rate > 0 ? (postgres.reduce((sum, g) => sum + (sat.cpu[g] ?? 0), 0) * 10_000) / rate : 0;
  return [
    {
      what: `end-to-end ingest (published → committed), sustained ${saturationLength(e2e)}`,
      goal: `≥ ${fmt(PRODUCT_GOAL)} readings/s`,
      measured: perS(rate),
      baseline: `JetStream publish + consume ${perS(b.combined)}; COPY ${perS(b.copy.perSecond)}`,
      ratio: `${ratio(rate, b.combined)} / ${ratio(rate, b.copy.perSecond)}`,
      met: rate >= PRODUCT_GOAL,
      limit: `both cores (${fmt(sat.machineCpu)} % of 200 %); CPU per reading: simulators ${per('simulators', sat.publishedPerSecond)} µs, nats-server ${per('nats-server', Math.max(sat.publishedPerSecond, rate))} µs, projector ${per('projector', rate)} µs, Postgres ${pgMicros.toFixed(0)} µs`,
    },
    {
      what: 'projector memory (RSS, whole ingest run)',
      goal: '≤ 300 MB',
      measured: mb(e2e.projectorRssMax),
      baseline: '—',
      ratio: '—',
      met: e2e.projectorRssMax <= RSS_LIMIT,
      limit: "the batch in hand and the consumer's prefetch (at most 3 batches un-acked)",
    },
  ];
}

const saturationLength = (e2e: EndToEndResult) => `${phase(e2e, 'saturation').seconds.toFixed(0)} s`;

function report(s: Settings, machine: Machine, b: Baselines, e2e: EndToEndResult, startedAt: Date) {
  const t = tables(s, b, e2e);
  const profiles = profileSummaries(e2e);
  const runLine = `${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${s.mode} run: saturation ${s.e2e.durationS} s (first ${s.e2e.warmupS} s left out of the rate), fixed ${fmt(FIXED_RATE)}/s for ${s.e2e.fixedS} s; baselines on ${fmt(b.messages)} readings of ${b.meanPayloadBytes.toFixed(0)} B${s.e2e.profileDir ? '; PROFILED (node --cpu-prof adds overhead)' : ''}${s.e2e.projectorNodeFlags.length ? `; projector run with node ${s.e2e.projectorNodeFlags.join(' ')}` : ''}${s.e2e.batchSize ? `; PROJECTOR_BATCH_SIZE=${s.e2e.batchSize}` : ''}`;
  const interference = interferenceLine(e2e);
  const committedNote =
    'Committed readings are read from the projector checkpoint row (a primary-key lookup; the readings table only grows, so count(*) would scan more each second and compete for the CPU being measured). In this stream every message is a reading and their ids are the stream sequences, so the checkpoint is the count; the final count(*) above confirms it.';
  const text = [
    `ingest — ${runLine}`,
    ...machineLines(machine),
    planText(e2e),
    interference,
    '',
    textTable(SUMMARY_HEADER, t.summary),
    '',
    textTable(BASELINE_HEADER, t.baselines),
    '',
    textTable(PHASE_HEADER, t.phases),
    '',
    'CPU by process, % of one core (mean over each phase\'s rate window), and µs of CPU per reading (published for simulators, committed for projector and its database):',
    textTable(t.cpu.header, t.cpu.rows),
    '',
    textTable(SIM_HEADER, t.simulators),
    '',
    ...profileText(profiles, textTable),
  ].join('\n');
  const markdown = [
    `_${runLine}._`,
    '',
    ...machineLines(machine).map((l) => `- ${l}`),
    `- Load: ${planText(e2e)}`,
    `- ${interference}`,
    '',
    markdownTable(SUMMARY_HEADER, t.summary),
    '',
    '**Baselines, same run** (the ratio is end-to-end committed readings/s over the baseline):',
    '',
    markdownTable(BASELINE_HEADER, t.baselines),
    '',
    '**Phases** (rates over each phase\'s window; lag = stream head − projector checkpoint, in readings):',
    '',
    markdownTable(PHASE_HEADER, t.phases),
    '',
    '**CPU by process** (% of one core, mean over each phase\'s window, read from /proc; a child process counts with its parent; `other` is everything else on the machine, such as other test runs). "Per reading" is that CPU divided by the readings per second it handled: published for the simulators, committed for the projector and its database, the larger of the two for the rest:',
    '',
    markdownTable(t.cpu.header, t.cpu.rows),
    '',
    '**Simulators** (their own counters at shutdown):',
    '',
    markdownTable(SIM_HEADER, t.simulators),
    '',
    ...profileText(profiles, markdownTable),
    committedNote,
  ].join('\n');
  return { text, markdown, goals: goals(b, e2e) };
}

export const ingest: Benchmark<IngestFlags> = {
  name: 'ingest',
  title: 'Ingest: readings/s end to end',
  flags: {
    rate: { type: 'string' },
    simulators: { type: 'string' },
    devices: { type: 'string' },
    'max-in-flight': { type: 'string' },
    messages: { type: 'string' },
    'batch-size': { type: 'string' },
    'fixed-duration': { type: 'string' },
    profile: { type: 'boolean' },
    'projector-node-flags': { type: 'string' },
  },
  usage: [
    `--rate <n>            readings/s the simulators offer in the saturation phase (default ${fmt(PRODUCT_GOAL)})`,
    '--simulators <n>      simulator processes (default 3: temperature, humidity, pressure)',
    '--devices <n>         devices per simulator (default 2000); the interval is chosen to offer the rate',
    '--max-in-flight <n>   simulators\' and baseline publisher\'s window of un-acked publishes (default 1024)',
    '--messages <n>        readings in the baselines (default 200,000; quick 20,000)',
    '--batch-size <n>      PROJECTOR_BATCH_SIZE for the projector and the baselines (default 5000)',
    '--fixed-duration <s>  length of the fixed 10,000/s phase (default 20; quick 5)',
    '--profile             write V8 CPU profiles of the projector and simulators under .data/bench/profiles and summarize them',
    '--projector-node-flags="<flags>"  extra node flags for the projector (e.g. "--trace-gc --max-semi-space-size=64"); its output goes to stderr',
  ],
  async run(options, flags, { cleanup, progress }) {
    const s = settings(options, flags);
    const startedAt = new Date();
    const env = await createBenchEnv(cleanup);
    progress(`database ${env.databaseName}, streams BENCH_${env.id.toUpperCase()}_*`);
    const machine = await describeMachine(env.db, env.nc);
    const baselines = await runBaselines(env, s, progress);
    const e2e = await runEndToEnd(env, cleanup, s.e2e, progress);
    return report(s, machine, baselines, e2e, startedAt);
  },
};
