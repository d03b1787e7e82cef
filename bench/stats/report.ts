/** The stats benchmark's figures as a stdout report and its BENCHMARKS.md section. */
import { DEVICE_INTERVAL_S, DEVICES, type Dataset, type LoadTimings } from '../query/dataset.ts';
import type { LoadResult } from '../query/load-client.ts';
import { fmt, markdownTable, mb, pct, ratio, textTable, type Row } from '../support/format.ts';
import { machineLines, type Machine } from '../support/machine.ts';
import type { CpuReading } from '../support/procfs.ts';
import { keptSchedule, SCHEDULE_TOLERANCE, type SimulatorFigures } from './simulator.ts';
import { AVG_TOLERANCE, SHAPE_INFO, type PlanSummary, type Shape, type Verification } from './workloads.ts';
import type { Goal } from '../support/goals.ts';

/** Targets from issue #5. */
export const TARGETS = { p99Ms: 20, simulatorRssBytes: 500 * 2 ** 20, simulatorDevices: 100_000, simulatorPerSecond: 20_000 };

export type PathName = 'api' | 'api-sql' | 'raw';
export const PATHS: readonly PathName[] = ['api', 'api-sql', 'raw'];

const PATH_LABEL: Record<PathName, string> = {
  api: 'API readingStats, GraphQL over HTTP',
  'api-sql': "the API's SQL alone (rollups + edge minutes), pg",
  raw: 'raw aggregate over readings, pg',
};

export interface Timing {
  path: PathName;
  clients: number;
  result: LoadResult;
  cpu: CpuReading;
}

export interface ShapeResults {
  shape: Shape;
  timings: Timing[];
  plans: { apiSql: PlanSummary; raw: PlanSummary };
}

export interface Settings {
  mode: string;
  rows: number;
  samples: number;
  warmup: number;
  concurrency: number;
  variants: number;
}

export interface RollupFigures {
  rows: number;
  readings: number;
  tableBytes: number;
  indexBytes: number;
}

export interface StatsResults {
  settings: Settings;
  machine: Machine;
  loadAtEnd: number;
  data: Dataset;
  loadTimings: LoadTimings;
  rollups: RollupFigures;
  verification: Verification;
  shapes: ShapeResults[];
  simulator: SimulatorFigures;
  startedAt: Date;
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const perS = (n: number) => `${fmt(n)}/s`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
const SHORT: Record<Shape, string> = { 'device-day': 'device × day, HOUR', 'all-hour': 'all devices × hour, MINUTE' };

function timing(shape: ShapeResults, path: PathName, clients: number): Timing {
  const found = shape.timings.find((t) => t.path === path && t.clients === clients);
  if (!found) throw new Error(`no timing for ${shape.shape} ${path} at ${clients} clients`);
  return found;
}

const clientCounts = (r: StatsResults) => [1, r.settings.concurrency];

const LATENCY_HEADER: Row = ['request', 'path', 'clients', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'buckets/answer'];

function latencyRows(r: StatsResults): Row[] {
  return r.shapes.flatMap((s) =>
    clientCounts(r).flatMap((clients) =>
      PATHS.map((path) => {
        const t = timing(s, path, clients).result;
        return [SHORT[s.shape], PATH_LABEL[path], String(clients), fmt(t.perSecond), ms(t.p50Ms), ms(t.p90Ms), ms(t.p99Ms), ms(t.maxMs), fmt(t.errors), t.meanItems.toFixed(1)];
      }),
    ),
  );
}

const RATIO_HEADER: Row = ['request', 'clients', 'API ÷ raw, p50', 'API ÷ raw, p99', "API's SQL ÷ raw, p99", 'HTTP + GraphQL add, p50 ms'];

function ratioRows(r: StatsResults): Row[] {
  return r.shapes.flatMap((s) =>
    clientCounts(r).map((clients) => {
      const api = timing(s, 'api', clients).result;
      const sql = timing(s, 'api-sql', clients).result;
      const raw = timing(s, 'raw', clients).result;
      return [SHORT[s.shape], String(clients), ratio(api.p50Ms, raw.p50Ms), ratio(api.p99Ms, raw.p99Ms), ratio(sql.p99Ms, raw.p99Ms), ms(api.p50Ms - sql.p50Ms)];
    }),
  );
}

function targetRows(r: StatsResults): Row[] {
  const sim = r.simulator;
  const reads = r.shapes.flatMap((s) =>
    clientCounts(r).map((clients): Row => {
      const t = timing(s, 'api', clients).result;
      const how = clients === 1 ? 'one request at a time' : `${clients} clients`;
      return [`readingStats p99 ≤ ${TARGETS.p99Ms} ms: ${SHAPE_INFO[s.shape].label}, ${how}`, `${ms(t.p99Ms)} ms`, verdict(t.errors === 0 && t.p99Ms <= TARGETS.p99Ms)];
    }),
  );
  const devices = sim.plan.devices === TARGETS.simulatorDevices ? '' : ` (this run: ${fmt(sim.plan.devices)} devices)`;
  return [
    ...reads,
    [`simulator RSS ≤ ${mb(TARGETS.simulatorRssBytes)}, ${fmt(TARGETS.simulatorDevices)} devices at 5 s${devices}`, `${mb(sim.rssMaxBytes)} max`, verdict(sim.rssMaxBytes <= TARGETS.simulatorRssBytes)],
    [
      `simulator keeps its schedule: ${perS(sim.scheduledPerSecond)}${devices}`,
      `${perS(sim.publishedPerSecond)} acked; ${pct(sim.final.generated / sim.due)} of due generated; ${fmt(sim.final.skipped)} skipped`,
      verdict(keptSchedule(sim)),
    ],
  ];
}

function simulatorRows(r: StatsResults): Row[] {
  const s = r.simulator;
  const cpu = (group: string) => `${(s.cpu.groups[group] ?? 0).toFixed(0)} %`;
  return [
    ['devices × interval (seed, type)', `${fmt(s.plan.devices)} × ${(s.intervalMs / 1000).toFixed(0)} s (seed ${s.plan.seed}, ${s.plan.type})`],
    ['readings/s its schedule asks for', perS(s.scheduledPerSecond)],
    [`acked into the stream, ${s.windowS.toFixed(0)} s window after ${s.plan.warmupS} s`, perS(s.publishedPerSecond)],
    ['slowest / fastest second of the window', `${perS(s.slowestSecond)} / ${perS(s.fastestSecond)}`],
    [`generated / due in the ${s.measuringS.toFixed(1)} s it measured`, `${fmt(s.final.generated)} / ${fmt(s.due)} (${pct(s.final.generated / s.due)})`],
    ['published (acked) by its own count at the end', fmt(s.final.published)],
    ['skipped (publisher saturated) / late ticks (> 2 ticks late)', `${fmt(s.final.skipped)} / ${fmt(s.final.lateTicks)}`],
    ['publish errors / retries', `${fmt(s.final.errors)} / ${fmt(s.final.retries)}`],
    ['RSS max / at the end (the node process, /proc each second)', `${mb(s.rssMaxBytes)} / ${mb(s.rssEndBytes)}`],
    ["RSS max with its tsx helper (esbuild)", mb(s.treeRssMaxBytes)],
    ['RSS max by its own stats lines (every 10 s)', s.selfReportedRssMb === null ? 'n/a' : `${fmt(s.selfReportedRssMb)} MB`],
    ['CPU over the window: simulator / nats-server / whole machine (% of one core)', `${cpu('simulator')} / ${cpu('nats-server')} / ${s.cpu.machine.toFixed(0)} %`],
  ];
}

const PLAN_HEADER: Row = ['statement (one request)', 'scans: actual rows (buffers)', 'buffers, whole statement', 'planning ms', 'execution ms'];

function planRows(r: StatsResults): Row[] {
  return r.shapes.flatMap((s) => [
    [`API's SQL, ${SHORT[s.shape]}`, s.plans.apiSql.scans.join(' + '), s.plans.apiSql.buffers, ms(s.plans.apiSql.planningMs), ms(s.plans.apiSql.executionMs)],
    [`raw aggregate, ${SHORT[s.shape]}`, s.plans.raw.scans.join(' + '), s.plans.raw.buffers, ms(s.plans.raw.planningMs), ms(s.plans.raw.executionMs)],
  ]);
}

const CPU_HEADER: Row = ['phase', 'api', 'postgres (bench db)', 'bench harness (clients)', 'everything else', 'whole machine', 'our CPU µs / request'];
const OURS = ['api', 'postgres (bench database)', 'bench harness'];

function cpuRows(r: StatsResults): Row[] {
  const share = (percent: number) => `${percent.toFixed(0)} %`;
  return r.shapes.flatMap((s) =>
    clientCounts(r).flatMap((clients) =>
      PATHS.map((path) => {
        const t = timing(s, path, clients);
        const [api = 0, postgres = 0, harness = 0] = OURS.map((g) => t.cpu.groups[g] ?? 0);
        const ours = api + postgres + harness;
        const perRequest = t.result.perSecond > 0 ? (ours * 10_000) / t.result.perSecond : 0;
        return [
          `${SHORT[s.shape]}, ${PATH_LABEL[path]}, ${clients} client${clients > 1 ? 's' : ''}`,
          share(api),
          share(postgres),
          share(harness),
          share(Math.max(0, t.cpu.machine - ours)),
          share(t.cpu.machine),
          fmt(perRequest),
        ];
      }),
    ),
  );
}

/** "What limits it", from the plans, the three paths and the CPU shares. */
function limits(r: StatsResults): string[] {
  const out: string[] = [];
  const perRollup = r.rollups.readings / Math.max(1, r.rollups.rows);
  out.push(
    `Rollups save rows only as far as a device reports more than once a minute: ${fmt(r.rollups.readings)} readings made ${fmt(r.rollups.rows)} per-minute rollup rows, ` +
      `${perRollup.toFixed(1)} readings a row, since each of the ${DEVICES} devices reports every ${DEVICE_INTERVAL_S} s on average. ` +
      `At the simulator's 5 s a device-minute holds 12 readings, and the rollups would read 12 times fewer rows than the raw path.`,
  );
  const reads = (p: PlanSummary) =>
    Object.entries(p.rowsRead)
      .map(([table, rows]) => `${fmt(rows)} rows of ${table}`)
      .join(' + ');
  const spill = (p: PlanSummary) => (/temp/.test(p.buffers) ? `, its sort spilling to disk (${p.buffers})` : '');
  for (const s of r.shapes) {
    const api = timing(s, 'api', 1).result;
    const sql = timing(s, 'api-sql', 1).result;
    const raw = timing(s, 'raw', 1).result;
    const added = api.p50Ms - sql.p50Ms;
    out.push(
      `${SHAPE_INFO[s.shape].label}: the API's SQL reads ${reads(s.plans.apiSql)} in ${ms(s.plans.apiSql.executionMs)} ms${spill(s.plans.apiSql)}; ` +
        `the raw aggregate reads ${reads(s.plans.raw)} in ${ms(s.plans.raw.executionMs)} ms${spill(s.plans.raw)} (EXPLAIN ANALYZE of one request). ` +
        `One at a time, the API answers in p50 ${ms(api.p50Ms)} / p99 ${ms(api.p99Ms)} ms, its SQL alone in ${ms(sql.p50Ms)} / ${ms(sql.p99Ms)} ms, the raw aggregate in ${ms(raw.p50Ms)} / ${ms(raw.p99Ms)} ms; ` +
        (added >= 0.05
          ? `HTTP, the token check, GraphQL and JSON add ${ms(added)} ms at the median.`
          : `what the API adds (HTTP, the token check, GraphQL, JSON) is within the noise here (${ms(added)} ms at the median).`),
    );
  }
  const allHour = r.shapes.find((s) => s.shape === 'all-hour');
  const rollupRows = allHour?.plans.apiSql.rowsRead.reading_rollups ?? 0;
  if (allHour && rollupRows > 0) {
    const microsPerRow = (allHour.plans.apiSql.executionMs * 1000) / rollupRows;
    out.push(
      `Without a device filter the cost grows with the fleet, not the answer: the rollups hold one row per device, type and minute, so one hour of all devices reads ${fmt(rollupRows)} rollup rows ` +
        `(60 minutes × ${fmt(rollupRows / 60)} devices with a reading in the minute, on average) to answer 60 buckets, ${microsPerRow.toFixed(2)} µs a row in the EXPLAIN above. ` +
        `At that rate 100,000 devices reporting every minute would need about ${fmt((microsPerRow * 100_000 * 60) / 1000)} ms a request (an extrapolation, not measured). ` +
        'A rollup per minute across devices (per sensor type) would read 60 rows for this request whatever the fleet.',
    );
  }
  const c = r.settings.concurrency;
  const busiest = r.shapes
    .map((s) => ({ s, t: timing(s, 'api', c) }))
    .sort((a, b) => b.t.cpu.machine - a.t.cpu.machine)[0];
  if (busiest) {
    const g = busiest.t.cpu.groups;
    out.push(
      `At ${c} clients (${SHAPE_INFO[busiest.s.shape].label}) the machine was ${busiest.t.cpu.machine.toFixed(0)} % busy of ${r.machine.cores * 100} %: ` +
        `Postgres ${(g['postgres (bench database)'] ?? 0).toFixed(0)} %, the API ${(g.api ?? 0).toFixed(0)} %, the clients in this process ${(g['bench harness'] ?? 0).toFixed(0)} %, ` +
        `everything else ${(busiest.t.cpu.machine - (g['postgres (bench database)'] ?? 0) - (g.api ?? 0) - (g['bench harness'] ?? 0)).toFixed(0)} % ` +
        `(load average ${r.machine.loadAtStart.toFixed(1)} at the start, ${r.loadAtEnd.toFixed(1)} at the end: other work shares these cores).`,
    );
  }
  const sim = r.simulator;
  const simCpu = sim.cpu.groups.simulator ?? 0;
  const natsCpu = sim.cpu.groups['nats-server'] ?? 0;
  const elsewhere = Math.max(0, sim.cpu.machine - simCpu - natsCpu - (sim.cpu.groups['bench harness'] ?? 0));
  const kept = keptSchedule(sim);
  const why = kept
    ? `it kept its schedule`
    : sim.final.skipped > 0
      ? `it skipped ${fmt(sim.final.skipped)} measurements: its publish window (default 1,024 un-acked) and queue stayed full, i.e. acks came back slower than the schedule (slowest second ${perS(sim.slowestSecond)})`
      : `it fell behind its schedule without skipping (${pct(sim.final.generated / sim.due)} of due generated)`;
  const contended = !kept && sim.cpu.machine >= 0.9 * r.machine.cores * 100 && elsewhere >= 50;
  out.push(
    `Simulator: ${fmt(sim.plan.devices)} devices ask for ${perS(sim.scheduledPerSecond)}; ${perS(sim.publishedPerSecond)} were acked over the window and ${why}. ` +
      `It used ${simCpu.toFixed(0)} % of one core (one Node thread: ${simCpu >= 90 ? 'that thread is the limit' : 'not saturated'}), nats-server ${natsCpu.toFixed(0)} %, ` +
      `the machine ${sim.cpu.machine.toFixed(0)} % of ${r.machine.cores * 100} %, ${elsewhere.toFixed(0)} % of it outside this benchmark. Its memory is ${mb(sim.rssMaxBytes)} at most: the devices live in typed arrays, and the publish window bounds what is in flight.` +
      (contended
        ? " The cores were nearly full and half a core or more went to work outside this benchmark, so this run cannot tell the simulator's own limit from the machine's: nats-server, which stores and acks, competes for the same cores."
        : ''),
  );
  return out;
}

function runLine(r: StatsResults): string {
  const s = r.settings;
  const days = (r.data.endMs - r.data.startMs) / 86_400_000;
  return (
    `${r.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${s.mode} run: ${fmt(s.rows)} readings (${DEVICES} devices, one reading per device every ${DEVICE_INTERVAL_S} s on average over ${days.toFixed(1)} days); ` +
    `${fmt(s.samples)} timed requests per path, request shape and client count (after ${fmt(s.warmup)} warm-up), cycling through up to ${fmt(s.variants)} seeded windows; simulator ${r.simulator.plan.durationS} s`
  );
}

function dataLine(r: StatsResults): string {
  const t = r.loadTimings;
  const ro = r.rollups;
  return (
    `Data: rows and rollups are loaded directly, not projected, because this measures the read path: the query benchmark's loader (bench/query/dataset.ts) generates the readings in Postgres from a seeded hash ` +
    `(${t.insertS.toFixed(0)} s, indexes ${t.indexS.toFixed(0)} s) and fills \`reading_rollups\` from them with one INSERT … SELECT … GROUP BY device, type and UTC minute ` +
    `(the projector's \`minuteOf\`, \`sum(value::numeric)\`; ${t.rollupS.toFixed(0)} s), then VACUUM ANALYZE (${t.vacuumS.toFixed(0)} s). ` +
    `Readings: table ${fmt(t.tableBytes / 2 ** 20)} MB, indexes ${fmt(t.indexBytes / 2 ** 20)} MB; rollups: ${fmt(ro.rows)} rows covering ${fmt(ro.readings)} readings, table ${fmt(ro.tableBytes / 2 ** 20)} MB, indexes ${fmt(ro.indexBytes / 2 ** 20)} MB.`
  );
}

function verificationLine(r: StatsResults): string {
  const v = r.verification;
  return (
    `Checked before timing: for all ${fmt(v.requests)} distinct requests the timed phases send, the API's answer (GraphQL over HTTP) equals the raw aggregate: ` +
    `${fmt(v.buckets)} buckets over ${fmt(v.readings)} readings with equal start, count, min and max, avg within ${AVG_TOLERANCE} (largest difference ${v.maxAvgDifference.toExponential(1)}).`
  );
}

const NOTES = [
  'Requests: (a) one device (code + number) and one whole UTC day, bucket HOUR; (b) no device filter and one whole UTC hour, bucket MINUTE; device and window drawn per request from a seeded generator inside the loaded range. `from` and `to` are the window\'s bounds; the API takes both as inclusive, and so does the raw SQL.',
  "Paths, each timed alone: the API (a child process; node:http clients with keep-alive in the benchmark process, as the query benchmark's sequential runs); the API's SQL alone (the API's `readingStats` core function called on a pg pool in the benchmark process: whole minutes from `reading_rollups`, the partial minutes at the window's edges from `readings`); the raw aggregate (`SELECT date_trunc(bucket, timestamp AT TIME ZONE 'UTC'), count(*), min(value), max(value), avg(value) FROM readings WHERE <same filter> GROUP BY 1`, pg). All pools speak UTC, as the API's.",
  'Clients: 1 = one request at a time; N = N workers each with one request in flight (closed loop). Latency is from sending a request to its whole answer.',
  'Simulator: `simulator/src/main.ts --devices N --type temperature --seed 1` (default 5 s interval) against a stream of its own on the shared nats-server; it is sampled from its first stored reading on, and stopped with SIGTERM. "Due" is its schedule (devices ÷ interval) over the time between its "started" and "stopping" log lines.',
];

function planDetails(r: StatsResults): string[] {
  return [
    '<details><summary>Full plans (EXPLAIN (ANALYZE, BUFFERS), one request each, after one warm-up run)</summary>',
    '',
    ...r.shapes.flatMap((s) => [
      `API's SQL, ${SHAPE_INFO[s.shape].label}:`,
      '',
      '```',
      s.plans.apiSql.text,
      '```',
      '',
      `Raw aggregate, ${SHAPE_INFO[s.shape].label}:`,
      '',
      '```',
      s.plans.raw.text,
      '```',
      '',
    ]),
    '</details>',
    '',
  ];
}

function goals(r: StatsResults): Goal[] {
  const sim = r.simulator;
  return [
    {
      what: `simulator memory, ${fmt(sim.plan.devices)} devices`,
      goal: `≤ ${mb(TARGETS.simulatorRssBytes)} (100,000 devices)`,
      measured: mb(sim.rssMaxBytes),
      baseline: '—',
      ratio: '—',
      met: sim.plan.devices >= TARGETS.simulatorDevices && sim.rssMaxBytes <= TARGETS.simulatorRssBytes,
      limit: "per-device state in typed arrays; the rest is Node's own heap and the NATS client's buffers",
    },
  ];
}

export function report(r: StatsResults): { text: string; markdown: string; goals: Goal[] } {
  const text = [
    `stats — ${runLine(r)}`,
    ...machineLines(r.machine),
    dataLine(r),
    verificationLine(r),
    '',
    textTable(LATENCY_HEADER, latencyRows(r)),
    '',
    textTable(RATIO_HEADER, ratioRows(r)),
    '',
    textTable(['target', 'measured', 'verdict'], targetRows(r)),
    '',
    textTable(['simulator', 'value'], simulatorRows(r)),
    '',
    textTable(PLAN_HEADER, planRows(r)),
    '',
    'CPU by process over each timed phase, % of one core:',
    textTable(CPU_HEADER, cpuRows(r)),
    '',
    'What limits it:',
    ...limits(r),
    '',
  ].join('\n');
  const markdown = [
    `_${runLine(r)}._`,
    '',
    ...machineLines(r.machine).map((l) => `- ${l}`),
    `- ${dataLine(r)}`,
    `- ${verificationLine(r)}`,
    '',
    '**Targets (issue #5):**',
    '',
    markdownTable(['target', 'measured', 'verdict'], targetRows(r)),
    '',
    '**readingStats latency, three paths, same run** (ms):',
    '',
    markdownTable(LATENCY_HEADER, latencyRows(r)),
    '',
    '**Ratios** (below 1× the API is faster than the raw aggregate):',
    '',
    markdownTable(RATIO_HEADER, ratioRows(r)),
    '',
    '**Simulator:**',
    '',
    markdownTable(['measure', 'value'], simulatorRows(r)),
    '',
    '**Query plans, key lines:**',
    '',
    markdownTable(PLAN_HEADER, planRows(r)),
    '',
    ...planDetails(r),
    "**CPU by process** (% of one core over each timed phase, from /proc; `bench harness` is this process, which runs the clients and the pg pools):",
    '',
    markdownTable(CPU_HEADER, cpuRows(r)),
    '',
    '**What limits it** (written by the benchmark from the figures above):',
    '',
    ...limits(r).flatMap((p) => [p, '']),
    ...NOTES.map((n) => `- ${n}`),
    `- Schedule kept means: nothing skipped, at least ${pct(SCHEDULE_TOLERANCE)} of due readings generated, and acks at least ${pct(SCHEDULE_TOLERANCE)} of the scheduled rate over the window.`,
  ].join('\n');
  return { text, markdown, goals: goals(r) };
}
