/**
 * `npm run bench -- rebuild`: issue #8's rebuild row. Ten million seeded events in a
 * stream of their own, replayed by `npm run rebuild` (a child process, as a user runs it)
 * into fresh read models and swapped in; beside it, in the same run and on the same rows,
 * the floors under it: reading the stream alone, decoding alone, COPY into readings, and
 * the projector's SQL into copies of the read-model tables.
 */
import { createHash } from 'node:crypto';
import { decodeAll } from './ingest/decode-baseline.ts';
import type { Timed } from './ingest/jetstream-baseline.ts';
import { copyRows, insertLikeProjector } from './ingest/postgres-baseline.ts';
import { runRebuild, type RebuildRun } from './rebuild/run.ts';
import { chunksOf, datasetFor, fillStream, readStream, type Dataset } from './rebuild/stream.ts';
import { int } from './support/flags.ts';
import { fmt, markdownTable, mb, ratio, textTable, type Row } from './support/format.ts';
import type { Goal } from './support/goals.ts';
import type { Benchmark } from './support/harness.ts';
import { createBenchEnv } from './support/isolated.ts';
import { describeMachine, machineLines, type Machine } from './support/machine.ts';

const TARGET = 100_000;
/** The projector's default PROJECTOR_BATCH_SIZE. */
const DEFAULT_BATCH = 5000;

type RebuildFlags = { events?: string; sample?: string; 'batch-size'?: string };

interface Settings {
  mode: string;
  events: number;
  /** Rows for the projector-SQL baseline (the slowest floor; all of them would double the run). */
  sample: number;
  batchSize: number;
}

interface Figures {
  fill: Timed & { bytes: number };
  read: Timed;
  decode: Timed;
  copy: Timed;
  sql: Timed;
  rebuild: RebuildRun;
  rows: number;
}

const perS = (n: number) => `${fmt(n)}/s`;

/**
 * `npm run rebuild` replays the stream twice: once into the readings read models (readings,
 * devices, rollups), then once for the alarms. The goal is for the whole command.
 */
function rates(f: Figures) {
  const events = f.rebuild.checkpoint;
  return { whole: events / (f.rebuild.seconds + f.rebuild.alarmsSeconds), readings: events / f.rebuild.seconds, alarms: events / f.rebuild.alarmsSeconds };
}

/** Replay reads, decodes and writes one batch after another, so its ceiling is the harmonic sum of the three floors. */
const serialCeiling = (f: Figures) => 1 / (1 / f.read.perSecond + 1 / f.decode.perSecond + 1 / f.sql.perSecond);

function tables(s: Settings, f: Figures) {
  const { whole: rate, readings, alarms } = rates(f);
  const summary: Row[] = [
    ['rebuild, events/s (both passes, as the rebuild times itself)', perS(rate), `≥ ${fmt(TARGET)}/s: ${rate >= TARGET ? 'met' : 'NOT met'} (${ratio(rate, TARGET)} of the goal)`],
    ['… readings pass (readings, devices, rollups: replay + swap)', perS(readings), `${f.rebuild.seconds.toFixed(1)} s`],
    ['… alarms pass (replay + swap)', perS(alarms), `${f.rebuild.alarmsSeconds.toFixed(1)} s`],
    ['rebuild, wall time incl. process start', `${f.rebuild.wallSeconds.toFixed(1)} s`, `${fmt(f.rebuild.checkpoint)} events`],
    ['rebuild process RSS max', mb(f.rebuild.rssMax), ''],
    ['rows in readings after the swap / events', `${fmt(f.rows)} / ${fmt(s.events)}`, f.rows === s.events ? 'all there' : 'MISMATCH'],
    ['read-model checksum (sha-256 of the rebuild\'s, first 16 hex)', createHash('sha256').update(f.rebuild.checksum).digest('hex').slice(0, 16), ''],
  ];
  // The floors are the readings pass's work: compare that pass with them.
  const baselines: Row[] = [
    ['JetStream: read the stream alone (ordered consumer, no decoding)', perS(f.read.perSecond), ratio(readings, f.read.perSecond)],
    ["decodeStored (JSON.parse + zod + subject check), one core, one chunk", perS(f.decode.perSecond), ratio(readings, f.decode.perSecond)],
    [`COPY of the same ${fmt(f.copy.count)} rows into a copy of readings (same indexes)`, perS(f.copy.perSecond), ratio(readings, f.copy.perSecond)],
    [`projector's SQL (applyEvents into copies of all read-model tables), first ${fmt(f.sql.count)} rows, ${fmt(s.batchSize)} a transaction`, perS(f.sql.perSecond), ratio(readings, f.sql.perSecond)],
    ['read → decode → SQL one after another (harmonic sum of the three above)', perS(serialCeiling(f)), ratio(readings, serialCeiling(f))],
    [`filling the stream: acked publishes, ${(f.fill.bytes / f.fill.count).toFixed(0)} B each`, perS(f.fill.perSecond), ''],
  ];
  const groups = Object.entries(f.rebuild.cpu).sort((a, b) => b[1] - a[1]);
  const micros = (percent: number) => `${((percent * 10_000) / rate).toFixed(1)} µs`;
  const cpu: Row[] = [...groups.map(([group, percent]) => [group, `${percent.toFixed(0)} %`, micros(percent)]), ['whole machine', `${f.rebuild.machineCpu.toFixed(0)} %`, micros(f.rebuild.machineCpu)]];
  return { summary, baselines, cpu };
}

function limits(f: Figures): string {
  const { readings: rate } = rates(f);
  const busy = f.rebuild.cpu.rebuild ?? 0;
  const pg = Object.entries(f.rebuild.cpu).filter(([g]) => g.startsWith('postgres')).reduce((a, [, v]) => a + v, 0);
  const floors = [
    ['reading the stream', f.read.perSecond],
    ['decoding', f.decode.perSecond],
    ["the projector's SQL", f.sql.perSecond],
  ] as const;
  const slowest = [...floors].sort((a, b) => a[1] - b[1])[0]!;
  return [
    `What limits it: the command replays the stream twice, so it can reach at most half the speed of its slower pass. The readings pass runs at ${ratio(rate, serialCeiling(f))} of the read → decode → SQL ceiling measured here, and the slowest floor is ${slowest[0]} (${perS(slowest[1])}).`,
    `During the rebuild its own process used ${busy.toFixed(0)} % of one core and Postgres ${pg.toFixed(0)} %, of ${f.rebuild.machineCpu.toFixed(0)} % for the whole machine (200 % is both cores).`,
    `COPY alone reaches ${perS(f.copy.perSecond)} into one table; the rebuild also folds devices and rollups from the same rows.`,
  ].join(' ');
}

const SUMMARY_HEADER: Row = ['measure', 'value', 'target / note'];
const BASELINE_HEADER: Row = ['floor (same events / rows, same run)', 'rate', 'readings pass ÷ this'];
const CPU_HEADER: Row = ['process (during the rebuild)', 'CPU, % of one core', 'per event'];

function goals(s: Settings, f: Figures): Goal[] {
  const { whole: rate, readings } = rates(f);
  return [
    {
      what: `rebuild of ${fmt(s.events)} events into fresh read models`,
      goal: `≥ ${fmt(TARGET)} events/s`,
      measured: perS(rate),
      baseline: `COPY of the same rows ${perS(f.copy.perSecond)}`,
      ratio: ratio(rate, f.copy.perSecond),
      met: rate >= TARGET,
      limit: `two passes (readings ${perS(readings)}, then alarms); the readings pass reads → decodes → writes one batch after another, ceiling from the floors ${perS(serialCeiling(f))}, slowest the projector's SQL (${perS(f.sql.perSecond)})`,
    },
  ];
}

function report(s: Settings, machine: Machine, f: Figures, startedAt: Date) {
  const t = tables(s, f);
  const runLine = `${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${s.mode} run: ${fmt(s.events)} ReadingRecorded events from 6,000 devices of 3 types, PROJECTOR_BATCH_SIZE=${s.batchSize}`;
  const lines = (table: (h: Row, r: Row[]) => string, bullet: string) => [
    ...machineLines(machine).map((l) => `${bullet}${l}`),
    '',
    table(SUMMARY_HEADER, t.summary),
    '',
    table(BASELINE_HEADER, t.baselines),
    '',
    table(CPU_HEADER, t.cpu),
    '',
    limits(f),
  ];
  return { text: [`rebuild — ${runLine}`, ...lines(textTable, '')].join('\n'), markdown: [`_${runLine}._`, '', ...lines(markdownTable, '- ')].join('\n'), goals: goals(s, f) };
}

async function countRows(db: { query: (sql: string) => Promise<{ rows: Array<{ n: string }> }> }): Promise<number> {
  return Number((await db.query('SELECT count(*) AS n FROM readings')).rows[0]?.n ?? 0);
}

function* firstRows(d: Dataset, rows: number) {
  let left = rows;
  for (const chunk of chunksOf(d)) {
    if (left <= 0) return;
    yield chunk.slice(0, left);
    left -= chunk.length;
  }
}

export const rebuild: Benchmark<RebuildFlags> = {
  name: 'rebuild',
  title: 'Rebuild: replaying the stream into fresh read models',
  flags: { events: { type: 'string' }, sample: { type: 'string' }, 'batch-size': { type: 'string' } },
  usage: [
    '--events <n>      events in the stream (default 10,000,000; quick 50,000)',
    "--sample <n>      rows for the projector's-SQL floor (default 1,000,000; quick all)",
    `--batch-size <n>  PROJECTOR_BATCH_SIZE for the rebuild and the SQL floor (default ${fmt(DEFAULT_BATCH)})`,
  ],
  async run(options, flags, { cleanup, progress }) {
    const events = int('events', flags.events, options.quick ? 50_000 : 10_000_000);
    const s: Settings = {
      mode: options.quick ? 'quick' : 'full',
      events,
      sample: Math.min(events, int('sample', flags.sample, options.quick ? events : 1_000_000)),
      batchSize: int('batch-size', flags['batch-size'], DEFAULT_BATCH),
    };
    const startedAt = new Date();
    const env = await createBenchEnv(cleanup);
    progress(`database ${env.databaseName}, streams BENCH_${env.id.toUpperCase()}_*`);
    const machine = await describeMachine(env.db, env.nc);
    const names = await env.createStreams('events');
    const data = datasetFor(names, s.events, Date.now());

    const fill = await fillStream(env, data, progress);
    const read = await readStream(env, names.stream, s.events);
    progress(`read the stream alone: ${perS(read.perSecond)}`);
    const decode = decodeAll(chunksOf(data)[Symbol.iterator]().next().value ?? [], names.prefix, 300_000);
    progress(`decodeStored: ${perS(decode.perSecond)}`);
    const copy = await copyRows(env.db, chunksOf(data));
    progress(`COPY: ${perS(copy.perSecond)}`);
    const sql = await insertLikeProjector(env.db, firstRows(data, s.sample), s.batchSize);
    progress(`projector's SQL: ${perS(sql.perSecond)}`);

    progress(`npm run rebuild of ${fmt(s.events)} events…`);
    const run = await runRebuild(env, names, s.batchSize, cleanup, progress);
    const rows = await countRows(env.db);
    if (run.checkpoint !== s.events) throw new Error(`the rebuild stopped at sequence ${run.checkpoint}, not ${s.events}`);
    return report(s, machine, { fill, read, decode, copy, sql, rebuild: run, rows }, startedAt);
  },
};
