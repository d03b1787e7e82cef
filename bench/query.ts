/**
 * `npm run bench -- query`: the read path with 10 million readings loaded. A filtered page
 * (device + 1 hour, 100 readings) under 32 concurrent clients, beside a bare graphql-yoga
 * hello-world and the API's own SQL straight against Postgres in the same run; cursor depth
 * (page 10,000 vs page 1, and numbered pages); `totalCount`; and `updateReadings` of 100
 * readings end to end through the stream and the projector.
 */
import { join } from 'node:path';
import pg from 'pg';
import { ROOT } from './support/children.ts';
import type { Benchmark, CommonOptions } from './support/harness.ts';
import { createBenchEnv } from './support/isolated.ts';
import { describeMachine } from './support/machine.ts';
import { fmt } from './support/format.ts';
import { ProcessGroups } from './query/cpu.ts';
import { CODES, continueStreamAfter, datasetShape, DEVICES, loadReadings } from './query/dataset.ts';
import { LoadRunner, type Measured } from './query/load.ts';
import { runLoad, type LoadPlan, type LoadResult, type LoadTarget } from './query/load-client.ts';
import { apiProfile, report, type CursorFigures, type QueryResults, type Settings } from './query/report.ts';
import { startStack } from './query/stack.ts';
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
} from './query/workloads.ts';

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

function int(flag: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}

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
    warmupS: int('warmup', flags.warmup, options.quick ? 1 : 5, 0),
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
    '--warmup <s>      warm-up before each load phase\'s timed window (default 5; quick 1)',
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

    const deviceHour = filters('device-hour', data, VARIANTS, 1);
    const codeHour = filters('code-hour', data, VARIANTS, 2);
    const deviceDay = filters('device-day', data, VARIANTS, 3);
    const codeDay = filters('code-day', data, VARIANTS, 4);
    const codes = someCodes(4);
    const allDepth = Math.min(CURSOR_DEPTH, Math.floor(s.rows / PAGE_SIZE) - 1);
    const codeDepth = Math.min(CURSOR_DEPTH, Math.floor((0.95 * s.rows) / CODES.length / PAGE_SIZE));
    progress(`finding the cursors of page ${fmt(allDepth)} (all readings) and page ${fmt(codeDepth)} (one deviceCode)`);
    const allDeep = await deepCursor(utc, {}, allDepth);
    const codeDeep = await Promise.all(codes.map((deviceCode) => deepCursor(utc, { deviceCode }, codeDepth)));

    progress('EXPLAIN (ANALYZE, BUFFERS) of the SQL the API sends');
    const plans: QueryResults['plans'] = [];
    for (const [label, statement] of [
      ['page: device + 1 hour', await pageSql(deviceHour[0]!, { first: PAGE_SIZE })],
      ['page: deviceCode + 1 hour', await pageSql(codeHour[0]!, { first: PAGE_SIZE })],
      [`page ${fmt(allDepth)} of all readings, by cursor`, await pageSql({}, { first: PAGE_SIZE, after: allDeep.after })],
      [`page ${fmt(allDepth)} of all readings, numbered (OFFSET)`, await pageSql({}, { page: allDepth, limit: PAGE_SIZE })],
      [`page ${fmt(codeDepth)} of one deviceCode, by cursor`, await pageSql(codeDeep[0]!.filter, { first: PAGE_SIZE, after: codeDeep[0]!.after })],
      ['totalCount: device + 1 day', await countSql(deviceDay[0]!)],
      ['totalCount: deviceCode + 1 day', await countSql(codeDay[0]!)],
    ] as const) {
      const plan = await explain(utc, statement);
      plans.push({ label, plan });
      progress(`  ${label}: ${plan.keyLine}`);
    }

    const runner = new LoadRunner(cleanup, groups);
    const api = (bodies: string[]): LoadTarget => ({ kind: 'http', url: stack.apiUrl, authorization: stack.authorization, bodies });
    const closed = (target: LoadTarget, seconds = s.durationS, warmupS = s.warmupS) =>
      runner.run({ target, concurrency: s.clients, warmup: { seconds: warmupS }, measure: { seconds }, rate: null, checkEvery: 50 });
    const announce = (label: string, r: LoadResult) =>
      progress(`${label}: ${fmt(r.perSecond)} req/s, p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, errors ${r.errors}${r.firstError ? ` (${r.firstError})` : ''}`);
    const phase = async (label: string, run: Promise<Measured>): Promise<Measured> => {
      const measured = await run;
      announce(label, measured.result);
      return measured;
    };
    // Short phases whose CPU is not reported: the same clients, run from this process (no process start per phase).
    const inProcess = async (label: string, target: LoadTarget, seconds: number, warmupS: number): Promise<LoadResult> => {
      const result = await runLoad({ target, concurrency: s.clients, warmup: { seconds: warmupS }, measure: { seconds }, rate: null, checkEvery: 50 }, () => undefined);
      announce(label, result);
      return result;
    };

    progress(`load phases: ${s.clients} clients, ${s.warmupS} s warm-up + ${s.durationS} s each`);
    const hello = await phase('baseline: yoga { hello }', closed({ kind: 'http', url: stack.helloUrl, authorization: null, bodies: [body(HELLO_QUERY)] }));
    const sql = await phase('baseline: the API\'s SQL, device + 1 hour', closed({ kind: 'sql', databaseUrl: env.databaseUrl, poolSize: API_POOL_SIZE, requests: sqlPages(deviceHour) }));
    const pageDevice = await phase('API: device + 1 hour', closed(api(pageBodies(deviceHour))));
    const pageCode = await phase('API: deviceCode + 1 hour', closed(api(pageBodies(codeHour))));
    const pacedAt = (rate: number) =>
      phase(
        `API: device + 1 hour paced at ${fmt(rate)}/s`,
        runner.run({ target: api(pageBodies(deviceHour)), concurrency: s.clients, warmup: { seconds: s.warmupS }, measure: { seconds: s.durationS }, rate, checkEvery: 50 }),
      );
    const paced = await pacedAt(s.rate);
    // Below saturation: the latency a client sees when the API has headroom.
    const halfRate = Math.max(10, Math.round(pageDevice.result.perSecond / 20) * 10);
    const pacedHalf = { ...(await pacedAt(halfRate)), rate: halfRate };

    progress(`cursor depth: ${s.samples} sequential requests each, then ${s.clients} clients for ${s.cursorS} s each`);
    const firstPage = (filter: object) => body(PAGE_QUERY, { filter, first: PAGE_SIZE });
    const deepPage = (c: { filter: object; after: string }) => body(PAGE_QUERY, { filter: c.filter, first: PAGE_SIZE, after: c.after });
    const bodiesOf = {
      allFirst: [firstPage({})],
      allDeep: [deepPage(allDeep)],
      allOffset: [body(NUMBERED_PAGE_QUERY, { filter: {}, page: allDepth, limit: PAGE_SIZE })],
      codeFirst: codes.map((deviceCode) => firstPage({ deviceCode })),
      codeDeep: codeDeep.map(deepPage),
    };
    // The sequential runs just warmed these queries; quick runs skip the warm-up here.
    const cursorWarmupS = options.quick ? 0 : Math.min(1, s.warmupS);
    const cursor: CursorFigures = {
      allDepth,
      codeDepth,
      codes,
      sequential: {
        allFirst: await sequential(api(bodiesOf.allFirst), s.samples),
        allDeep: await sequential(api(bodiesOf.allDeep), s.samples),
        allOffset: await sequential(api(bodiesOf.allOffset), s.offsetSamples, 2),
        codeFirst: await sequential(api(bodiesOf.codeFirst), s.samples),
        codeDeep: await sequential(api(bodiesOf.codeDeep), s.samples),
      },
      concurrent: {
        allFirst: await inProcess(`${s.clients} clients: page 1 of all readings`, api(bodiesOf.allFirst), s.cursorS, cursorWarmupS),
        allDeep: await inProcess(`${s.clients} clients: page ${fmt(allDepth)} of all readings`, api(bodiesOf.allDeep), s.cursorS, cursorWarmupS),
        codeFirst: await inProcess(`${s.clients} clients: page 1 of one deviceCode`, api(bodiesOf.codeFirst), s.cursorS, cursorWarmupS),
        codeDeep: await inProcess(`${s.clients} clients: page ${fmt(codeDepth)} of one deviceCode`, api(bodiesOf.codeDeep), s.cursorS, cursorWarmupS),
      },
    };
    for (const [name, r] of Object.entries(cursor.sequential)) progress(`  sequential ${name}: p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(2)} ms, ${r.meanItems.toFixed(0)} rows`);

    progress(`totalCount: ${s.samples} sequential requests per filter`);
    const totals = {
      deviceDay: await sequential(api(deviceDay.map((filter) => body(COUNT_QUERY, { filter }))), s.samples),
      codeDay: await sequential(api(codeDay.map((filter) => body(COUNT_QUERY, { filter }))), s.samples),
    };

    progress(`updateReadings: finding ${Math.min(10, s.mutations)} device windows of exactly ${s.changeSize} readings`);
    const windows = await changeWindows(env.db, data, Math.min(10, s.mutations), s.changeSize, 5);
    const updates = await measureUpdates({
      apiUrl: stack.apiUrl,
      authorization: stack.authorization,
      databaseUrl: env.databaseUrl,
      jsm: env.jsm,
      stream: names.stream,
      windows,
      calls: s.mutations,
      size: s.changeSize,
    });
    progress(`updateReadings: p50 ${updates.p50Ms.toFixed(1)} ms, p99 ${updates.p99Ms.toFixed(1)} ms`);

    // Stopped here rather than at cleanup: the API writes its CPU profile as it exits.
    for (const child of [stack.api, stack.projector, stack.hello]) {
      const code = await child.stop();
      if (code !== 0) throw new Error(`${child.name} exited with ${code}:\n${child.tail()}`);
    }
    const results: QueryResults = {
      settings: s,
      machine,
      data,
      loadTimings,
      plans,
      hello,
      sql,
      pageDevice,
      pageCode,
      paced,
      pacedHalf,
      cursor,
      totals,
      updates,
      profile: apiProfile(stack.profileDir, pageDevice.window),
      startedAt,
    };
    return report(results);
  },
};
