/**
 * `npm run bench -- stats`: issue #5. `readingStats` with 10 million readings loaded, for one
 * device over one UTC day (bucket HOUR) and for all devices over one hour (bucket MINUTE),
 * through the real API, beside the API's own SQL and the same aggregate straight from the raw
 * readings in the same run; and one simulator instance with 100,000 devices at 5 s
 * (20,000 readings/s): its memory and whether it keeps its schedule.
 */
import { loadavg } from 'node:os';
import pg from 'pg';
import { ProcessGroups } from './query/cpu.ts';
import { datasetShape, DEVICES, loadReadings } from './query/dataset.ts';
import { runLoad } from './query/load-client.ts';
import { fmt } from './support/format.ts';
import type { Benchmark, CommonOptions } from './support/harness.ts';
import { createBenchEnv } from './support/isolated.ts';
import { describeMachine } from './support/machine.ts';
import { startApi, type Api } from './stats/api.ts';
import { closedLoop } from './stats/closed-loop.ts';
import { PATHS, report, type PathName, type RollupFigures, type Settings, type ShapeResults, type Timing } from './stats/report.ts';
import { runSimulator, type SimulatorPlan } from './stats/simulator.ts';
import {
  apiSqlStats,
  apiStatsSql,
  planOf,
  rawStats,
  rawStatsSql,
  SHAPES,
  statsBody,
  statsRequests,
  verifyAnswers,
  type Shape,
  type StatsRequest,
} from './stats/workloads.ts';
import { int } from './support/flags.ts';

type StatsFlags = {
  rows?: string;
  samples?: string;
  concurrency?: string;
  variants?: string;
  devices?: string;
};

function settings(options: CommonOptions, flags: StatsFlags): { reads: Settings; simulator: SimulatorPlan } {
  const samples = int('samples', flags.samples, options.quick ? 100 : 1000);
  const durationS = options.durationS ?? (options.quick ? 10 : 60);
  return {
    reads: {
      mode: options.quick ? 'quick' : 'full',
      rows: int('rows', flags.rows, options.quick ? 200_000 : 10_000_000, 10_000),
      samples,
      warmup: Math.max(5, Math.round(samples / 20)),
      concurrency: int('concurrency', flags.concurrency, 8),
      variants: int('variants', flags.variants, 256),
    },
    simulator: {
      devices: int('devices', flags.devices, options.quick ? 10_000 : 100_000),
      type: 'temperature',
      seed: 1,
      durationS,
      warmupS: Math.min(options.quick ? 2 : 5, Math.floor(durationS / 2)),
    },
  };
}

async function rollupFigures(db: pg.Pool, rows: number): Promise<RollupFigures> {
  const result = await db.query<{ rows: string; readings: string; table: string; indexes: string }>(
    `SELECT count(*) AS rows, coalesce(sum(count), 0) AS readings, pg_table_size('reading_rollups') AS table, pg_indexes_size('reading_rollups') AS indexes FROM reading_rollups`,
  );
  const row = result.rows[0]!;
  const figures = { rows: Number(row.rows), readings: Number(row.readings), tableBytes: Number(row.table), indexBytes: Number(row.indexes) };
  if (figures.readings !== rows) throw new Error(`the rollups cover ${figures.readings} readings, not the ${rows} loaded`);
  return figures;
}

export const stats: Benchmark<StatsFlags> = {
  name: 'stats',
  title: 'Stats: readingStats from rollups, and one simulator at 100,000 devices',
  flags: {
    rows: { type: 'string' },
    samples: { type: 'string' },
    concurrency: { type: 'string' },
    variants: { type: 'string' },
    devices: { type: 'string' },
  },
  usage: [
    '--rows <n>         readings loaded (default 10,000,000; quick 200,000)',
    '--samples <n>      timed requests per path, request shape and client count (default 1000; quick 100)',
    '--concurrency <n>  clients of the concurrent phases (default 8)',
    '--variants <n>     seeded device-days / hours the requests cycle through (default 256)',
    '--devices <n>      simulator devices at the 5 s interval (default 100,000; quick 10,000); --duration sets its run (default 60 s; quick 10 s)',
  ],
  async run(options, flags, { cleanup, progress }) {
    const { reads: s, simulator: simPlan } = settings(options, flags);
    const startedAt = new Date();
    const env = await createBenchEnv(cleanup);
    progress(`database ${env.databaseName}, streams BENCH_${env.id.toUpperCase()}_*`);
    const machine = await describeMachine(env.db, env.nc);

    progress(`simulator: ${fmt(simPlan.devices)} devices at the 5 s interval for ${simPlan.durationS} s`);
    const simulator = await runSimulator(env, cleanup, simPlan, progress);
    progress(
      `simulator: ${fmt(simulator.publishedPerSecond)}/s acked of ${fmt(simulator.scheduledPerSecond)}/s scheduled, ` +
        `skipped ${fmt(simulator.final.skipped)}, RSS max ${(simulator.rssMaxBytes / 2 ** 20).toFixed(0)} MB`,
    );

    const data = datasetShape(s.rows);
    progress(`loading ${fmt(s.rows)} readings and their rollups straight into Postgres (${DEVICES} devices, ${((data.endMs - data.startMs) / 86_400_000).toFixed(1)} days)`);
    const loadTimings = await loadReadings(env.db, data, progress);
    const rollups = await rollupFigures(env.db, s.rows);
    progress(`rollups: ${fmt(rollups.rows)} rows for ${fmt(rollups.readings)} readings`);

    const names = await env.createStreams('stats');
    const api = await startApi(env, names, cleanup);
    const groups = new ProcessGroups(env.databaseName);
    groups.name(api.child.pid, 'api');
    progress(`API pid ${api.child.pid}`);
    const utc = new pg.Pool({ connectionString: env.databaseUrl, max: s.concurrency, options: '-c TimeZone=UTC', application_name: 'bench-stats' });
    cleanup.defer('close the UTC pool', () => utc.end());

    const requests: Record<Shape, StatsRequest[]> = {
      'device-day': statsRequests('device-day', data, s.variants, 1),
      'all-hour': statsRequests('all-hour', data, s.variants, 2),
    };
    const verification = await verifyAnswers(api.url, api.authorization, utc, [...requests['device-day'], ...requests['all-hour']], progress);

    const shapes: ShapeResults[] = [];
    for (const shape of SHAPES) {
      const list = requests[shape];
      const plans = { apiSql: await planOf(utc, await apiStatsSql(list[0]!)), raw: await planOf(utc, rawStatsSql(list[0]!)) };
      progress(`${shape} plans: API's SQL ${plans.apiSql.executionMs.toFixed(2)} ms (${plans.apiSql.scans.join(' + ')}); raw ${plans.raw.executionMs.toFixed(2)} ms (${plans.raw.scans.join(' + ')})`);
      const timings: Timing[] = [];
      for (const clients of [1, s.concurrency]) {
        for (const path of PATHS) {
          groups.start();
          const result = await measure(path, list, clients, s, api, utc);
          const cpu = groups.read();
          timings.push({ path, clients, result, cpu });
          progress(
            `${shape} ${path} ${clients} client${clients > 1 ? 's' : ''}: p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ` +
              `${fmt(result.perSecond)} req/s, ${result.meanItems.toFixed(1)} buckets, errors ${result.errors}${result.firstError ? ` (${result.firstError})` : ''}`,
          );
        }
      }
      shapes.push({ shape, timings, plans });
    }

    const code = await api.child.stop();
    if (code !== 0) throw new Error(`the API exited with ${code}:\n${api.child.tail()}`);
    return report({ settings: s, machine, loadAtEnd: loadavg()[0] ?? 0, data, loadTimings, rollups, verification, shapes, simulator, startedAt });
  },
};

/** Times one path over the requests of a shape, cycling through them in order. */
function measure(path: PathName, list: StatsRequest[], clients: number, s: Settings, api: Api, utc: pg.Pool) {
  const plan = { concurrency: clients, warmup: s.warmup, requests: s.samples };
  const bucketsOf = (rows: unknown[]) => rows.length;
  switch (path) {
    case 'api':
      return runLoad(
        {
          target: { kind: 'http', url: api.url, authorization: api.authorization, bodies: list.map(statsBody) },
          concurrency: clients,
          warmup: { requests: s.warmup },
          measure: { requests: s.samples },
          rate: null,
          checkEvery: 1,
        },
        () => undefined,
      );
    case 'api-sql':
      return closedLoop(plan, async (i) => bucketsOf(await apiSqlStats(utc, list[i % list.length]!)));
    case 'raw':
      return closedLoop(plan, async (i) => bucketsOf(await rawStats(utc, list[i % list.length]!)));
    default: {
      const unhandled: never = path;
      throw new Error(`unknown path ${String(unhandled)}`);
    }
  }
}
