/** The query benchmark's figures as a stdout report and its BENCHMARKS.md section. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/children.ts';
import { summarizeProfile, type ProfileSummary } from '../support/cpuprofile.ts';
import { sliceProfile } from '../support/cpuprofile-window.ts';
import { fmt, markdownTable, pct, ratio, textTable, type Row } from '../support/format.ts';
import { machineLines, type Machine } from '../support/machine.ts';
import type { CpuReading } from '../support/procfs.ts';
import { DEVICE_INTERVAL_S, DEVICES, type Dataset, type LoadTimings } from './dataset.ts';
import type { LatencySummary } from './latency.ts';
import type { Measured } from './load.ts';
import type { LoadResult } from './load-client.ts';
import type { UpdateFigures } from './updates.ts';
import type { Plan } from './workloads.ts';
import type { Goal } from '../support/goals.ts';

/** Targets from issue #3. */
export const TARGETS = { p99Ms: 15, perSecond: 2000, totalCountMs: 50, updateP99Ms: 50 };
/** "Cursor depth makes no difference": the deep page's median within this of page 1's (or 1 ms). */
const DEPTH_TOLERANCE = 0.25;

export interface Settings {
  mode: string;
  rows: number;
  clients: number;
  rate: number;
  durationS: number;
  warmupS: number;
  cursorS: number;
  samples: number;
  offsetSamples: number;
  mutations: number;
  changeSize: number;
  profileDir: string | null;
}

export interface CursorFigures {
  allDepth: number;
  codeDepth: number;
  codes: string[];
  sequential: { allFirst: LoadResult; allDeep: LoadResult; allOffset: LoadResult; codeFirst: LoadResult; codeDeep: LoadResult };
  /** Run from the harness process (their CPU is not reported). */
  concurrent: { allFirst: LoadResult; allDeep: LoadResult; codeFirst: LoadResult; codeDeep: LoadResult };
}

export interface QueryResults {
  settings: Settings;
  machine: Machine;
  data: Dataset;
  loadTimings: LoadTimings;
  plans: Array<{ label: string; plan: Plan }>;
  hello: Measured;
  sql: Measured;
  pageDevice: Measured;
  pageCode: Measured;
  paced: Measured;
  /** Paced at about half the closed-loop rate: latency with headroom. */
  pacedHalf: Measured & { rate: number };
  cursor: CursorFigures;
  totals: { deviceDay: LoadResult; codeDay: LoadResult };
  updates: UpdateFigures;
  profile: ProfileSummary | null;
  startedAt: Date;
}

/**
 * The API's main-thread profile cut to a load phase's timed window (node writes one profile
 * per thread; the busiest is the main one).
 */
export function apiProfile(dir: string | null, window: Measured['window']): ProfileSummary | null {
  if (!dir) return null;
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && !f.startsWith('window-'));
  } catch {
    return null;
  }
  const summaries = files.map((f) => {
    const cut = join(dir, `window-${f}`);
    sliceProfile(join(dir, f), cut, window.startMicros, window.endMicros);
    return summarizeProfile(cut, ROOT, 15);
  });
  return summaries.sort((a, b) => b.busyMs - a.busyMs)[0] ?? null;
}

const ms = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));
const perS = (n: number) => `${fmt(n)}/s`;
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
const cpuOf = (cpu: CpuReading, group: string) => cpu.groups[group] ?? 0;
/** CPU per request in µs: % of one core × 10,000 ÷ requests per second. */
const micros = (percent: number, perSecond: number) => (perSecond > 0 ? (percent * 10_000) / perSecond : 0);

const LATENCY_HEADER: Row = ['workload', 'clients', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'errors', 'rows/answer'];
const latencyRow = (label: string, clients: string, r: LoadResult | (LatencySummary & { meanItems?: number })): Row => [
  label,
  clients,
  fmt(r.perSecond),
  ms(r.p50Ms),
  ms(r.p90Ms),
  ms(r.p99Ms),
  ms(r.maxMs),
  fmt(r.errors),
  r.meanItems === undefined ? '' : fmt(r.meanItems),
];

function loadTable(r: QueryResults): Row[] {
  const c = String(r.settings.clients);
  return [
    latencyRow('baseline: bare graphql-yoga `{ hello }`', c, r.hello.result),
    latencyRow(`baseline: the API's SQL alone (pg pool of 20), device + 1 h`, c, r.sql.result),
    latencyRow('API `readings`, device (code + number) + 1 h, first 100', c, r.pageDevice.result),
    latencyRow('API `readings`, deviceCode + 1 h, first 100', c, r.pageCode.result),
    latencyRow(`API, device + 1 h, paced at ${fmt(r.settings.rate)}/s (latency from schedule)`, c, r.paced.result),
    latencyRow(`API, device + 1 h, paced at ${fmt(r.pacedHalf.rate)}/s, half the closed-loop rate`, c, r.pacedHalf.result),
  ];
}



function ratioTable(r: QueryResults): Row[] {
  const ours = r.pageDevice.result;
  return [
    ['API device + 1 h vs bare yoga `{ hello }`', ratio(ours.perSecond, r.hello.result.perSecond), ratio(ours.p99Ms, r.hello.result.p99Ms)],
    ['API device + 1 h vs its SQL alone', ratio(ours.perSecond, r.sql.result.perSecond), ratio(ours.p99Ms, r.sql.result.p99Ms)],
    ['API deviceCode + 1 h vs bare yoga `{ hello }`', ratio(r.pageCode.result.perSecond, r.hello.result.perSecond), ratio(r.pageCode.result.p99Ms, r.hello.result.p99Ms)],
  ];
}

function depthHolds(first: LoadResult, deep: LoadResult): boolean {
  return deep.p50Ms <= Math.max(first.p50Ms * (1 + DEPTH_TOLERANCE), first.p50Ms + 1);
}

function targetTable(r: QueryResults): Row[] {
  const d = r.pageDevice.result;
  const code = r.pageCode.result;
  const p = r.paced.result;
  const cs = r.cursor.sequential;
  const c = r.settings.clients;
  return [
    [`filtered page p99 ≤ ${TARGETS.p99Ms} ms, ${c} clients (device + 1 h)`, `${ms(d.p99Ms)} ms`, verdict(d.p99Ms <= TARGETS.p99Ms)],
    [`filtered page ≥ ${fmt(TARGETS.perSecond)} req/s, ${c} clients (device + 1 h)`, perS(d.perSecond), verdict(d.perSecond >= TARGETS.perSecond)],
    [`same, deviceCode + 1 h: p99 / req/s`, `${ms(code.p99Ms)} ms / ${perS(code.perSecond)}`, verdict(code.p99Ms <= TARGETS.p99Ms && code.perSecond >= TARGETS.perSecond)],
    [
      `p99 ≤ ${TARGETS.p99Ms} ms while ${fmt(r.settings.rate)} req/s are offered (paced, device + 1 h)`,
      `${ms(p.p99Ms)} ms at ${perS(p.perSecond)}`,
      verdict(p.p99Ms <= TARGETS.p99Ms && p.perSecond >= 0.98 * r.settings.rate),
    ],
    [
      `cursor depth makes no difference: page ${fmt(r.cursor.allDepth)} vs 1, all readings (p50)`,
      `${ms(cs.allDeep.p50Ms)} vs ${ms(cs.allFirst.p50Ms)} ms`,
      verdict(depthHolds(cs.allFirst, cs.allDeep)),
    ],
    [
      `… page ${fmt(r.cursor.codeDepth)} vs 1, one deviceCode (p50)`,
      `${ms(cs.codeDeep.p50Ms)} vs ${ms(cs.codeFirst.p50Ms)} ms`,
      verdict(depthHolds(cs.codeFirst, cs.codeDeep)),
    ],
    [`totalCount ≤ ${TARGETS.totalCountMs} ms, device + 1 day (p99)`, `${ms(r.totals.deviceDay.p99Ms)} ms`, verdict(r.totals.deviceDay.p99Ms <= TARGETS.totalCountMs)],
    [`totalCount ≤ ${TARGETS.totalCountMs} ms, deviceCode + 1 day (p99)`, `${ms(r.totals.codeDay.p99Ms)} ms`, verdict(r.totals.codeDay.p99Ms <= TARGETS.totalCountMs)],
    [`updateReadings of ${r.updates.size} readings p99 ≤ ${TARGETS.updateP99Ms} ms, idle`, `${ms(r.updates.p99Ms)} ms`, verdict(r.updates.p99Ms <= TARGETS.updateP99Ms)],
  ];
}

const CURSOR_HEADER: Row = ['request (first: 100)', 'one at a time p50 ms', 'p99 ms', 'clients req/s', 'p50 ms', 'p99 ms', 'rows/answer'];

function cursorTable(r: QueryResults): Row[] {
  const { sequential: s, concurrent: c, allDepth, codeDepth, codes } = r.cursor;
  const row = (label: string, seq: LoadResult, con: LoadResult | null): Row => [
    label,
    ms(seq.p50Ms),
    ms(seq.p99Ms),
    con ? fmt(con.perSecond) : '',
    con ? ms(con.p50Ms) : '',
    con ? ms(con.p99Ms) : '',
    fmt(seq.meanItems),
  ];
  return [
    row('all readings, page 1', s.allFirst, c.allFirst),
    row(`all readings, page ${fmt(allDepth)} by cursor`, s.allDeep, c.allDeep),
    row(`all readings, page ${fmt(allDepth)} numbered (page/limit → OFFSET)`, s.allOffset, null),
    row(`deviceCode ${codes.join('/')}, page 1`, s.codeFirst, c.codeFirst),
    row(`deviceCode ${codes.join('/')}, page ${fmt(codeDepth)} by cursor`, s.codeDeep, c.codeDeep),
  ];
}

const COUNT_HEADER: Row = ['request', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'mean totalCount'];
function countTable(r: QueryResults): Row[] {
  const row = (label: string, x: LoadResult): Row => [label, ms(x.p50Ms), ms(x.p90Ms), ms(x.p99Ms), ms(x.maxMs), fmt(x.meanItems)];
  return [row('totalCount, device (code + number) + 1 day', r.totals.deviceDay), row('totalCount, deviceCode + 1 day', r.totals.codeDay)];
}

const UPDATE_HEADER: Row = ['mutation', 'calls', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'];
const LEGS_HEADER: Row = ['leg of one call (median)', 'ms'];
const legRows = (r: QueryResults): Row[] => [
  ['request in → event built (HTTP, auth, validation, idempotency look-up)', ms(r.updates.legs.beforePublish)],
  ['event built → stored in the stream (publish)', ms(r.updates.legs.publish)],
  ['stored → projector committed (delivery, UPDATE of the rows, change result, NOTIFY)', ms(r.updates.legs.projector)],
  ['committed → answer back (NOTIFY to the API, result look-up, response)', ms(r.updates.legs.answer)],
];
const updateRow = (r: QueryResults): Row => [
  `updateReadings of exactly ${r.updates.size} readings (device + time range), one at a time`,
  fmt(r.updates.count),
  ms(r.updates.p50Ms),
  ms(r.updates.p90Ms),
  ms(r.updates.p99Ms),
  ms(r.updates.maxMs),
];

const PLAN_HEADER: Row = ['SQL the API sends for', 'plan: the scan', 'planning ms', 'execution ms'];
const planRows = (r: QueryResults): Row[] => r.plans.map(({ label, plan }) => [label, plan.keyLine, ms(plan.planningMs), ms(plan.executionMs)]);

const CPU_GROUPS = ['api', 'postgres (bench database)', 'load generator', 'baseline server', 'projector', 'nats-server', 'bench harness'];

function cpuTable(r: QueryResults): { header: Row; rows: Row[] } {
  const phases: Array<[string, Measured]> = [
    ['yoga hello', r.hello],
    ['SQL alone', r.sql],
    ['device + 1 h', r.pageDevice],
    ['deviceCode + 1 h', r.pageCode],
    [`paced ${fmt(r.settings.rate)}/s`, r.paced],
    [`paced ${fmt(r.pacedHalf.rate)}/s`, r.pacedHalf],
  ];
  const others = [...new Set(phases.flatMap(([, m]) => Object.keys(m.cpu.groups)))].filter((g) => !CPU_GROUPS.includes(g)).sort();
  const cell = (m: Measured, percent: number) => `${percent.toFixed(0)} % (${fmt(micros(percent, m.result.perSecond))} µs)`;
  return {
    header: ['process', ...phases.map(([name]) => name)],
    rows: [
      ...[...CPU_GROUPS, ...others].map((g) => [g, ...phases.map(([, m]) => cell(m, cpuOf(m.cpu, g)))]),
      ['whole machine', ...phases.map(([, m]) => cell(m, m.cpu.machine))],
    ],
  };
}

/** "What limits it", from the CPU shares, the baselines and the plan. */
function limits(r: QueryResults): string[] {
  const d = r.pageDevice;
  const rps = d.result.perSecond;
  const api = cpuOf(d.cpu, 'api');
  const postgres = cpuOf(d.cpu, 'postgres (bench database)');
  const loader = cpuOf(d.cpu, 'load generator');
  const capacity = r.machine.cores * 100;
  const helloCpu = cpuOf(r.hello.cpu, 'baseline server');
  const sqlPostgres = cpuOf(r.sql.cpu, 'postgres (bench database)');
  const plan = r.plans[0]?.plan;
  const c = r.settings.clients;
  const out: string[] = [];
  out.push(
    `With ${c} clients in a closed loop the API answered ${perS(rps)} (device + 1 h) with p99 ${ms(d.result.p99Ms)} ms. ` +
      `The machine was ${d.cpu.machine.toFixed(0)} % busy out of ${capacity} % (${r.machine.cores} cores, shared by every process): ` +
      `API ${api.toFixed(0)} % (${fmt(micros(api, rps))} µs of CPU per request), Postgres backends ${postgres.toFixed(0)} % (${fmt(micros(postgres, rps))} µs), ` +
      `load generator ${loader.toFixed(0)} % (${fmt(micros(loader, rps))} µs).`,
  );
  const foreign = cpuOf(d.cpu, 'other') + cpuOf(d.cpu, 'postgres (other databases)');
  if (foreign >= 20) {
    out.push(
      `Other work on the machine (processes outside this benchmark, and other databases' Postgres backends) took ${foreign.toFixed(0)} % of a core during this phase ` +
        `(load average ${r.machine.loadAtStart.toFixed(1)} at the start): the rates are lower, and the latencies higher, than an otherwise idle machine would give.`,
    );
  }
  if (api >= 85) {
    out.push(
      `The API process is the limit: one Node event loop, busy ${api.toFixed(0)} % of a core. At ${fmt(micros(api, rps))} µs of its CPU per request, ` +
        `one process cannot pass about ${perS(1e6 / Math.max(1, micros(api, rps)))} even on an idle machine; more throughput needs more API processes ` +
        `(they are stateless, SPEC §11) and cores for them, or less work per request.`,
    );
  } else if (d.cpu.machine >= 0.9 * capacity) {
    out.push(`The machine's cores are saturated: the API, Postgres and the load generator compete for them, and none has a core to itself.`);
  } else {
    out.push(`Neither the API's core nor the machine is saturated: requests wait (on Postgres connections or I/O) rather than on CPU.`);
  }
  out.push(
    `In the same run the bare graphql-yoga server answered ${perS(r.hello.result.perSecond)} at ${fmt(micros(helloCpu, r.hello.result.perSecond))} µs of CPU a request: ` +
      `that is the floor of the HTTP + yoga layer on this machine. Our API spends ${ratio(micros(api, rps), micros(helloCpu, r.hello.result.perSecond))} that per request ` +
      `(what it adds: token verification, the validation limits, the resolver and its SQL round trip through pg, serialising 100 readings; \`--profile\` shows where).`,
  );
  out.push(
    `The API's SQL sent straight from a pg pool reached ${perS(r.sql.result.perSecond)} (p99 ${ms(r.sql.result.p99Ms)} ms; Postgres ${fmt(micros(sqlPostgres, r.sql.result.perSecond))} µs of CPU a query)` +
      (plan ? `; Postgres plans the page as \`${plan.keyLine}\` and executes it in ${ms(plan.executionMs)} ms.` : '.') +
      (r.sql.result.perSecond > 1.5 * rps ? ' Postgres is therefore not what limits the API\'s rate.' : ' Postgres is close to the API\'s rate: it shares the limit.'),
  );
  out.push(
    `A closed loop of ${c} clients always has ${c} requests in flight, so its mean latency is ${c} ÷ throughput (Little's law): ` +
      `${fmt(TARGETS.perSecond)} req/s at ${c} clients means ${ms((c / TARGETS.perSecond) * 1000)} ms on average, above the ${TARGETS.p99Ms} ms p99 target, ` +
      `so both targets can hold together at ${c} clients only above ${perS((c / TARGETS.p99Ms) * 1000)} (${c} ÷ ${TARGETS.p99Ms} ms), and in practice well above, since p99 exceeds the mean. ` +
      `The paced phase offers the target rate instead of saturating: ${perS(r.paced.result.perSecond)} served, p50 ${ms(r.paced.result.p50Ms)} ms, ` +
      `p99 ${ms(r.paced.result.p99Ms)} ms counted from each request's scheduled time (${fmt(r.paced.result.late)} sent more than 1 ms late, ${fmt(r.paced.result.behind)} due but not answered at the end). ` +
      `At half the closed-loop rate (${perS(r.pacedHalf.rate)}) p50 is ${ms(r.pacedHalf.result.p50Ms)} ms and p99 ${ms(r.pacedHalf.result.p99Ms)} ms.`,
  );
  return out;
}

function profileText(p: ProfileSummary, table: (h: Row, rows: Row[]) => string): string[] {
  return [
    `CPU profile of the API during the device + 1 h load phase (node --cpu-prof): ${fmt(p.busyMs)} ms busy, ${pct(p.idleShare)} idle`,
    '',
    table(['where (self time)', 'share of busy'], p.areas.map((a) => [a.name, pct(a.share)])),
    '',
    table(['function (self time)', 'share of busy'], p.functions.map((f) => [f.name, pct(f.share)])),
    '',
  ];
}

function runLine(r: QueryResults): string {
  const s = r.settings;
  const days = (r.data.endMs - r.data.startMs) / 86_400_000;
  return (
    `${r.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${s.mode} run: ${fmt(s.rows)} readings (${DEVICES} devices = 26 codes × ${DEVICES / 26} numbers, ` +
    `one reading per device every ${DEVICE_INTERVAL_S} s on average over ${days.toFixed(1)} days); load phases ${s.warmupS} s warm-up + ${s.durationS} s, ` +
    `cursor phases ${s.cursorS} s${s.profileDir ? '; PROFILED (node --cpu-prof on the API adds overhead)' : ''}`
  );
}

function loadLine(r: QueryResults): string {
  const t = r.loadTimings;
  return (
    `Data: generated by Postgres from a seeded hash straight into \`readings\` (not through the stream: this benchmark measures the read path), ` +
    `${t.insertS.toFixed(0)} s to insert, ${t.indexS.toFixed(0)} s to re-create the indexes, ${t.rollupS.toFixed(0)} s to build the per-minute rollups, ${t.vacuumS.toFixed(0)} s to VACUUM ANALYZE; ` +
    `table ${fmt(t.tableBytes / 2 ** 20)} MB, indexes ${fmt(t.indexBytes / 2 ** 20)} MB (shared_buffers is the server's; the OS cache holds the rest). ` +
    `Ids are 1…${fmt(r.settings.rows)} in time order, as stream sequences would be; the stream was purged up to ${fmt(r.settings.rows + 1)} so that it continues ` +
    `after them and the projector checkpoint set to ${fmt(r.settings.rows)}, so a change event (sequence > ${fmt(r.settings.rows)}) applies to all of them.`
  );
}

const NOTES = [
  `Clients: a separate Node process for each load phase (node:http, one keep-alive connection per client), each client with one request in flight, cycling through 2,000 seeded filters (a random device or deviceCode and a random hour of the data), so the answers are not one cached query. Every 50th answer is parsed and its readings counted; the others are checked for errors. The one-at-a-time requests and the short cursor-depth phases run the same client code from the harness process.`,
  `Everything runs on the same machine: the API, Postgres, the projector, nats-server, the baseline server and the load generator share its cores, so the CPU the load generator uses is taken from the API and Postgres. The CPU table shows each one's share; \`other\` is every process outside this benchmark, and Postgres and nats-server are the machine's shared services (other databases and clients show apart or within them).`,
  `"Page N by cursor" uses the cursor the API hands out at the end of page N − 1, computed once in SQL (walking 10,000 pages would take 10,000 requests). Numbered pages (page/limit) use OFFSET and are shown for comparison.`,
  `updateReadings: each call appends a ReadingsEdited event to the stream and returns once the projector (a real child process on the same stream) has applied it and Postgres has notified the API; filters cover exactly the stated number of readings of one device, alternating the value; nothing else runs.`,
];

function goals(r: QueryResults): Goal[] {
  const d = r.pageDevice;
  const api = cpuOf(d.cpu, 'api');
  const hello = r.hello.result;
  return [
    {
      what: `filtered page query, ${fmt(r.settings.rows)} readings, ${r.settings.clients} clients (device + 1 h)`,
      goal: `p99 ≤ ${TARGETS.p99Ms} ms, ≥ ${fmt(TARGETS.perSecond)} req/s`,
      measured: `p99 ${ms(d.result.p99Ms)} ms, ${perS(d.result.perSecond)}`,
      baseline: `bare graphql-yoga \`{ hello }\` p99 ${ms(hello.p99Ms)} ms, ${perS(hello.perSecond)}`,
      ratio: `${ratio(d.result.p99Ms, hello.p99Ms)} p99, ${ratio(d.result.perSecond, hello.perSecond)} req/s`,
      met: d.result.p99Ms <= TARGETS.p99Ms && d.result.perSecond >= TARGETS.perSecond,
      limit: `the API's one event loop: ${api.toFixed(0)} % of a core, ${fmt(micros(api, d.result.perSecond))} µs of CPU per request (bare yoga: ${fmt(micros(cpuOf(r.hello.cpu, 'baseline server'), hello.perSecond))} µs)`,
    },
    {
      what: `updateReadings (${r.updates.size} rows) end to end, idle`,
      goal: `p99 ≤ ${TARGETS.updateP99Ms} ms`,
      measured: `p99 ${ms(r.updates.p99Ms)} ms`,
      baseline: '—',
      ratio: '—',
      met: r.updates.p99Ms <= TARGETS.updateP99Ms,
      limit: 'append to the stream, the projector fetching and applying it in its own transaction, then the NOTIFY back to the API',
    },
  ];
}

export function report(r: QueryResults): { text: string; markdown: string; goals: Goal[] } {
  const cpu = cpuTable(r);
  const firstPlan = r.plans[0];
  const text = [
    `query — ${runLine(r)}`,
    ...machineLines(r.machine),
    loadLine(r),
    '',
    textTable(LATENCY_HEADER, loadTable(r)),
    '',
    textTable(['comparison', 'req/s ratio', 'p99 ratio'], ratioTable(r)),
    '',
    textTable(['target', 'measured', 'verdict'], targetTable(r)),
    '',
    textTable(CURSOR_HEADER, cursorTable(r)),
    '',
    textTable(COUNT_HEADER, countTable(r)),
    '',
    textTable(UPDATE_HEADER, [updateRow(r)]),
    '',
    textTable(LEGS_HEADER, legRows(r)),
    '',
    textTable(PLAN_HEADER, planRows(r)),
    '',
    'CPU by process, % of one core over each load phase\'s timed window (µs of CPU per request):',
    textTable(cpu.header, cpu.rows),
    '',
    'What limits it:',
    ...limits(r),
    '',
    ...(r.profile ? profileText(r.profile, textTable) : []),
  ].join('\n');
  const markdown = [
    `_${runLine(r)}._`,
    '',
    ...machineLines(r.machine).map((l) => `- ${l}`),
    `- ${loadLine(r)}`,
    '',
    '**Filtered page under load** (closed loop unless paced; latency in ms):',
    '',
    markdownTable(LATENCY_HEADER, loadTable(r)),
    '',
    '**Ratios to the baselines, same run:**',
    '',
    markdownTable(['comparison', 'req/s ratio', 'p99 ratio'], ratioTable(r)),
    '',
    '**Targets (issue #3):**',
    '',
    markdownTable(['target', 'measured', 'verdict'], targetTable(r)),
    '',
    `**Cursor depth** (one at a time: ${fmt(r.settings.samples)} requests each, ${fmt(r.settings.offsetSamples)} for OFFSET; then ${r.settings.clients} clients for ${r.settings.cursorS} s each):`,
    '',
    markdownTable(CURSOR_HEADER, cursorTable(r)),
    '',
    `**totalCount** (${fmt(r.settings.samples)} requests one at a time, varied device/day; the API also fetches the 1-row page asked for):`,
    '',
    markdownTable(COUNT_HEADER, countTable(r)),
    '',
    '**updateReadings end to end, idle:**',
    '',
    markdownTable(UPDATE_HEADER, [updateRow(r)]),
    '',
    'Where a call\'s time goes (clocks outside the API: the event\'s occurredAt, JetStream\'s stored time, our own LISTEN on the projector\'s NOTIFY):',
    '',
    markdownTable(LEGS_HEADER, legRows(r)),
    '',
    '**Query plans** (EXPLAIN (ANALYZE, BUFFERS) of the SQL the API\'s query functions emit, after one warm-up run):',
    '',
    markdownTable(PLAN_HEADER, planRows(r)),
    '',
    ...(firstPlan ? [`Plan of the filtered page (${firstPlan.label}):`, '', '```', firstPlan.plan.text, '```', ''] : []),
    '**CPU by process** (% of one core over each load phase\'s timed window, from /proc; in brackets µs of CPU per request):',
    '',
    markdownTable(cpu.header, cpu.rows),
    '',
    '**What limits it** (written by the benchmark from the figures above):',
    '',
    ...limits(r).flatMap((p) => [p, '']),
    ...(r.profile ? profileText(r.profile, markdownTable) : []),
    ...NOTES.map((n) => `- ${n}`),
  ].join('\n');
  return { text, markdown, goals: goals(r) };
}
