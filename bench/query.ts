/**
 * `npm run bench -- query`: the read path with 10 million readings loaded. A filtered page
 * (device + 1 hour, 100 readings) under 32 concurrent clients, beside a bare graphql-yoga
 * hello-world and the API's own SQL straight against Postgres in the same run; cursor depth
 * (page 10,000 vs page 1, and numbered pages); `totalCount`; and `updateReadings` of 100
 * readings end to end through the stream and the projector.
 */
import { join } from 'node:path';
import pg from 'pg';
import type { ReadingFilter } from '../schema/src/index.ts';
import type { StreamNames } from '../schema/src/subjects.ts';
import { ROOT } from './support/children.ts';
import type { Benchmark, CommonOptions } from './support/harness.ts';
import { createBenchEnv, type BenchEnv } from './support/isolated.ts';
import { describeMachine } from './support/machine.ts';
import { fmt } from './support/format.ts';
import { ProcessGroups } from './query/cpu.ts';
import { CODES, continueStreamAfter, datasetShape, DEVICES, loadReadings, type Dataset } from './query/dataset.ts';
import { LoadRunner, type Measured } from './query/load.ts';
import { runLoad, type LoadPlan, type LoadResult, type LoadTarget } from './query/load-client.ts';
import { apiProfile, report, type CursorFigures, type QueryResults, type Settings } from './query/report.ts';
import { startStack, type Stack } from './query/stack.ts';
import { measureUpdates } from './query/updates.ts';
import {
  body,
  changeWindows,
  COUNT_QUERY,
  countSql,
  deepCursor,
  explain,
  filters,
  HELLO_QUERY,
  NUMBERED_PAGE_QUERY,
  PAGE_QUERY,
  PAGE_SIZE,
  pageBodies,
  pageSql,
  someCodes,
  sqlPages,
  type DeepCursor,
} from './query/workloads.ts';
import { int } from './support/flags.ts';

type QueryFlags = {
  rows?: string;
  clients?: string;
  rate?: string;
  samples?: string;
  mutations?: string;
  warmup?: string;
  profile?: boolean;
};

/** Variants of each filter the clients cycle through, so no answer is one cached query. */
const VARIANTS = 2000;
const CURSOR_DEPTH = 10_000;
/** The API's database pool (api/src/app.ts): the SQL-only baseline gets as many connections. */
const API_POOL_SIZE = 20;

function settings(options: CommonOptions, flags: QueryFlags): Settings {
  const durationS = options.durationS ?? (options.quick ? 3 : 20);
  const rows = int('rows', flags.rows, options.quick ? 200_000 : 10_000_000, 10_000);
  const samples = int('samples', flags.samples, options.quick ? 50 : 200);
  return {
    mode: options.quick ? 'quick' : 'full',
    rows,
    clients: int('clients', flags.clients, 32),
    rate: int('rate', flags.rate, 2000),
    durationS,
    warmupS: flags.warmup === undefined ? (options.quick ? 0.5 : 5) : int('warmup', flags.warmup, 5, 0),
    cursorS: Math.max(1, Math.min(5, Math.round(durationS / 4))),
    samples,
    offsetSamples: Math.max(3, Math.round(samples / 10)),
    mutations: int('mutations', flags.mutations, options.quick ? 20 : 100),
    changeSize: Math.min(100, Math.floor(rows / DEVICES / 2)),
    profileDir: flags.profile ? join(ROOT, '.data', 'bench', 'profiles', `query-${new Date().toISOString().replace(/[:.]/g, '-')}`) : null,
  };
}

/** One request at a time from this process: latency without queueing. */
function sequential(target: LoadTarget, samples: number, warmup = 10): Promise<LoadResult> {
  const plan: LoadPlan = { target, concurrency: 1, warmup: { requests: warmup }, measure: { requests: samples }, rate: null, checkEvery: 1 };
  return runLoad(plan, () => undefined);
}

/** What every part of a run uses. */
interface Run {
  s: Settings;
  env: BenchEnv;
  names: StreamNames;
  data: Dataset;
  stack: Stack;
  /** Sessions in UTC, as the API's are (cursor texts, EXPLAIN). */
  utc: pg.Pool;
  progress: (line: string) => void;
  /** A target on the API with these request bodies. */
  api(bodies: string[]): LoadTarget;
}

interface Filters {
  deviceHour: ReadingFilter[];
  codeHour: ReadingFilter[];
  deviceDay: ReadingFilter[];
  codeDay: ReadingFilter[];
}

interface Deep {
  allDepth: number;
  codeDepth: number;
  codes: string[];
  all: DeepCursor;
  code: DeepCursor[];
}

async function findDeepCursors(run: Run): Promise<Deep> {
  const codes = someCodes(4);
  const allDepth = Math.min(CURSOR_DEPTH, Math.floor(run.s.rows / PAGE_SIZE) - 1);
  // Device codes are drawn evenly: 95 % of an even share is there for every code.
  const codeDepth = Math.min(CURSOR_DEPTH, Math.floor((0.95 * run.s.rows) / CODES.length / PAGE_SIZE));
  run.progress(`finding the cursors of page ${fmt(allDepth)} (all readings) and page ${fmt(codeDepth)} (one deviceCode)`);
  const all = await deepCursor(run.utc, {}, allDepth);
  const code = await Promise.all(codes.map((deviceCode) => deepCursor(run.utc, { deviceCode }, codeDepth)));
  return { allDepth, codeDepth, codes, all, code };
}

async function explainPlans(run: Run, f: Filters, deep: Deep): Promise<QueryResults['plans']> {
  run.progress('EXPLAIN (ANALYZE, BUFFERS) of the SQL the API sends');
  const plans: QueryResults['plans'] = [];
  for (const [label, statement] of [
    ['page: device + 1 hour', await pageSql(f.deviceHour[0]!, { first: PAGE_SIZE })],
    ['page: deviceCode + 1 hour', await pageSql(f.codeHour[0]!, { first: PAGE_SIZE })],
    [`page ${fmt(deep.allDepth)} of all readings, by cursor`, await pageSql({}, { first: PAGE_SIZE, after: deep.all.after })],
    [`page ${fmt(deep.allDepth)} of all readings, numbered (OFFSET)`, await pageSql({}, { page: deep.allDepth, limit: PAGE_SIZE })],
    [`page ${fmt(deep.codeDepth)} of one deviceCode, by cursor`, await pageSql(deep.code[0]!.filter, { first: PAGE_SIZE, after: deep.code[0]!.after })],
    ['totalCount: device + 1 day', await countSql(f.deviceDay[0]!)],
    ['totalCount: deviceCode + 1 day', await countSql(f.codeDay[0]!)],
  ] as const) {
    const plan = await explain(run.utc, statement);
    plans.push({ label, plan });
    run.progress(`  ${label}: ${plan.keyLine}`);
  }
  return plans;
}

const announce = (run: Run, label: string, r: LoadResult) =>
  run.progress(`${label}: ${fmt(r.perSecond)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, errors ${r.errors}${r.firstError ? ` (${r.firstError})` : ''}`);

/** The load phases, each in a load-generator process of its own, with the CPU of every process. */
async function loadPhases(run: Run, runner: LoadRunner, f: Filters) {
  const { s, stack } = run;
  const phase = async (label: string, target: LoadTarget, rate: number | null = null): Promise<Measured> => {
    const measured = await runner.run({ target, concurrency: s.clients, warmup: { seconds: s.warmupS }, measure: { seconds: s.durationS }, rate, checkEvery: 50 });
    announce(run, label, measured.result);
    return measured;
  };
  run.progress(`load phases: ${s.clients} clients, ${s.warmupS} s warm-up + ${s.durationS} s each`);
  const hello = await phase('baseline: yoga { hello }', { kind: 'http', url: stack.helloUrl, authorization: null, bodies: [body(HELLO_QUERY)] });
  const sql = await phase("baseline: the API's SQL, device + 1 hour", { kind: 'sql', databaseUrl: run.env.databaseUrl, poolSize: API_POOL_SIZE, requests: sqlPages(f.deviceHour) });
  const pageDevice = await phase('API: device + 1 hour', run.api(pageBodies(f.deviceHour)));
  const pageCode = await phase('API: deviceCode + 1 hour', run.api(pageBodies(f.codeHour)));
  const paced = await phase(`API: device + 1 hour paced at ${fmt(s.rate)}/s`, run.api(pageBodies(f.deviceHour)), s.rate);
  // Below saturation: the latency a client sees when the API has headroom.
  const halfRate = Math.max(10, Math.round(pageDevice.result.perSecond / 20) * 10);
  const pacedHalf = { ...(await phase(`API: device + 1 hour paced at ${fmt(halfRate)}/s`, run.api(pageBodies(f.deviceHour)), halfRate)), rate: halfRate };
  return { hello, sql, pageDevice, pageCode, paced, pacedHalf };
}

/** Page 1 against a deep page, one request at a time and then under load (the same clients, from this process). */
async function cursorDepth(run: Run, deep: Deep, quick: boolean): Promise<CursorFigures> {
  const { s } = run;
  run.progress(`cursor depth: ${s.samples} sequential requests each, then ${s.clients} clients for ${s.cursorS} s each`);
  const firstPage = (filter: object) => body(PAGE_QUERY, { filter, first: PAGE_SIZE });
  const deepPage = (c: DeepCursor) => body(PAGE_QUERY, { filter: c.filter, first: PAGE_SIZE, after: c.after });
  const bodies = {
    allFirst: [firstPage({})],
    allDeep: [deepPage(deep.all)],
    allOffset: [body(NUMBERED_PAGE_QUERY, { filter: {}, page: deep.allDepth, limit: PAGE_SIZE })],
    codeFirst: deep.codes.map((deviceCode) => firstPage({ deviceCode })),
    codeDeep: deep.code.map(deepPage),
  };
  // The sequential runs just warmed these queries; quick runs skip the warm-up here.
  const warmupS = quick ? 0 : Math.min(1, s.warmupS);
  const loaded = async (label: string, bodyList: string[]): Promise<LoadResult> => {
    const plan: LoadPlan = { target: run.api(bodyList), concurrency: s.clients, warmup: { seconds: warmupS }, measure: { seconds: s.cursorS }, rate: null, checkEvery: 50 };
    const result = await runLoad(plan, () => undefined);
    announce(run, `${s.clients} clients: ${label}`, result);
    return result;
  };
  const figures: CursorFigures = {
    allDepth: deep.allDepth,
    codeDepth: deep.codeDepth,
    codes: deep.codes,
    sequential: {
      allFirst: await sequential(run.api(bodies.allFirst), s.samples),
      allDeep: await sequential(run.api(bodies.allDeep), s.samples),
      allOffset: await sequential(run.api(bodies.allOffset), s.offsetSamples, 2),
      codeFirst: await sequential(run.api(bodies.codeFirst), s.samples),
      codeDeep: await sequential(run.api(bodies.codeDeep), s.samples),
    },
    concurrent: {
      allFirst: await loaded('page 1 of all readings', bodies.allFirst),
      allDeep: await loaded(`page ${fmt(deep.allDepth)} of all readings`, bodies.allDeep),
      codeFirst: await loaded('page 1 of one deviceCode', bodies.codeFirst),
      codeDeep: await loaded(`page ${fmt(deep.codeDepth)} of one deviceCode`, bodies.codeDeep),
    },
  };
  for (const [name, r] of Object.entries(figures.sequential)) run.progress(`  sequential ${name}: p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.meanItems.toFixed(0)} rows`);
  return figures;
}

async function totalCounts(run: Run, f: Filters) {
  run.progress(`totalCount: ${run.s.samples} sequential requests per filter`);
  const counts = (list: ReadingFilter[]) => run.api(list.map((filter) => body(COUNT_QUERY, { filter })));
  return { deviceDay: await sequential(counts(f.deviceDay), run.s.samples), codeDay: await sequential(counts(f.codeDay), run.s.samples) };
}

async function updates(run: Run) {
  const { s } = run;
  const count = Math.min(10, s.mutations);
  run.progress(`updateReadings: finding ${count} device windows of exactly ${s.changeSize} readings`);
  const windows = await changeWindows(run.env.db, run.data, count, s.changeSize, 5);
  const figures = await measureUpdates({
    apiUrl: run.stack.apiUrl,
    authorization: run.stack.authorization,
    databaseUrl: run.env.databaseUrl,
    jsm: run.env.jsm,
    stream: run.names.stream,
    windows,
    calls: s.mutations,
    size: s.changeSize,
  });
  run.progress(`updateReadings: p50 ${figures.p50Ms.toFixed(1)} ms, p99 ${figures.p99Ms.toFixed(1)} ms`);
  return figures;
}

export const query: Benchmark<QueryFlags> = {
  name: 'query',
  title: 'Query: reads with 10 million readings',
  flags: {
    rows: { type: 'string' },
    clients: { type: 'string' },
    rate: { type: 'string' },
    samples: { type: 'string' },
    mutations: { type: 'string' },
    warmup: { type: 'string' },
    profile: { type: 'boolean' },
  },
  usage: [
    '--rows <n>        readings loaded (default 10,000,000; quick 200,000)',
    '--clients <n>     concurrent clients in the load phases (default 32)',
    '--rate <n>        total requests/s of the paced phase (default 2000)',
    '--samples <n>     sequential requests per cursor and totalCount measure (default 200; quick 50)',
    '--mutations <n>   updateReadings calls, one at a time (default 100; quick 20)',
    '--warmup <s>      warm-up before each load phase\'s timed window (default 5; quick 0.5)',
    '--profile         write a V8 CPU profile of the API under .data/bench/profiles and summarize it',
  ],
  async run(options, flags, { cleanup, progress }) {
    const s = settings(options, flags);
    const startedAt = new Date();
    const env = await createBenchEnv(cleanup);
    progress(`database ${env.databaseName}, streams BENCH_${env.id.toUpperCase()}_*`);
    const machine = await describeMachine(env.db, env.nc);
    const names = await env.createStreams('query');

    const data = datasetShape(s.rows);
    progress(`loading ${fmt(s.rows)} readings straight into Postgres (${DEVICES} devices, ${((data.endMs - data.startMs) / 86_400_000).toFixed(1)} days)`);
    const loadTimings = await loadReadings(env.db, data, progress);
    await continueStreamAfter(env.jsm, env.db, names, s.rows);

    const groups = new ProcessGroups(env.databaseName);
    const stack = await startStack(env, names, cleanup, { profileDir: s.profileDir });
    groups.name(stack.api.pid, 'api');
    groups.name(stack.projector.pid, 'projector');
    groups.name(stack.hello.pid, 'baseline server');
    progress(`API pid ${stack.api.pid}, projector pid ${stack.projector.pid}, baseline server pid ${stack.hello.pid}`);
    const utc = new pg.Pool({ connectionString: env.databaseUrl, max: 2, options: '-c TimeZone=UTC', application_name: 'bench-utc' });
    cleanup.defer('close the UTC pool', () => utc.end());
    const run: Run = {
      s,
      env,
      names,
      data,
      stack,
      utc,
      progress,
      api: (bodies) => ({ kind: 'http', url: stack.apiUrl, authorization: stack.authorization, bodies }),
    };

    const f: Filters = {
      deviceHour: filters('device-hour', data, VARIANTS, 1),
      codeHour: filters('code-hour', data, VARIANTS, 2),
      deviceDay: filters('device-day', data, VARIANTS, 3),
      codeDay: filters('code-day', data, VARIANTS, 4),
    };
    const deep = await findDeepCursors(run);
    const plans = await explainPlans(run, f, deep);
    const load = await loadPhases(run, new LoadRunner(cleanup, groups), f);
    const cursor = await cursorDepth(run, deep, options.quick);
    const totals = await totalCounts(run, f);
    const changes = await updates(run);

    // Stopped here rather than at cleanup: the API writes its CPU profile as it exits.
    for (const child of [stack.api, stack.projector, stack.hello]) {
      const code = await child.stop();
      if (code !== 0) throw new Error(`${child.name} exited with ${code}:\n${child.tail()}`);
    }
    return report({
      settings: s,
      machine,
      data,
      loadTimings,
      plans,
      ...load,
      cursor,
      totals,
      updates: changes,
      profile: apiProfile(stack.profileDir, load.pageDevice.window),
      startedAt,
    });
  },
};
