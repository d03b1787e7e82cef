/**
 * `npm run bench -- latency`: issue #8's ingest-latency row. Readings published at a steady
 * 5,000/s (acked JetStream publishes, as devices do) with the projector and the API running;
 * for each reading, the time from its publish to (a) the stream's ack, (b) a JetStream
 * ordered consumer in this process — the floor under any live feed —, (c) a graphql-ws
 * subscriber of the API, and (d) being queryable: the projector's checkpoint, committed in
 * the same transaction as the rows, polled every 2 ms.
 */
import { checkpointName } from '../projector/src/projector.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consumeStream, subscribeApi, watchCheckpoint, Stamps } from './latency/probes.ts';
import { startChild } from './support/children.ts';
import { startProjector } from './subscriptions/processes.ts';
import { latencyOf, type Latency } from './subscriptions/analysis.ts';
import { startApi } from './stats/api.ts';
import { CpuAverage, type CpuAverages } from './support/cpu-average.ts';
import { int } from './support/flags.ts';
import { fmt, markdownTable, mb, textTable, type Row } from './support/format.ts';
import type { Goal } from './support/goals.ts';
import type { Benchmark } from './support/harness.ts';
import { createBenchEnv } from './support/isolated.ts';
import { describeMachine, machineLines, type Machine } from './support/machine.ts';

const TARGET_QUERYABLE_P99 = 200;
const TARGET_LIVE_P99 = 50;
const POLL_MS = 2;

type LatencyFlags = { rate?: string; warmup?: string };

interface Settings {
  mode: string;
  rate: number;
  seconds: number;
  warmupS: number;
}

interface Figures {
  published: number;
  errors: number;
  lateTicks: number;
  window: number;
  paths: Array<{ name: string; latency: Latency | null; missing: number; target: number | null }>;
  cpu: CpuAverages;
}

interface PublisherCounts {
  count: number;
  errors: number;
  firstError: string | null;
  lateTicks: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Latencies (ms) from `sent` to `reached` of the sequences in [from, to]; those never reached are counted apart. */
function between(sent: Stamps, reached: Stamps, from: number, to: number): { latency: Latency | null; missing: number } {
  const values: number[] = [];
  let missing = 0;
  for (let s = from; s <= to; s++) {
    const start = sent.get(s);
    if (start === 0) continue;
    const end = reached.get(s);
    if (end === 0) missing++;
    else values.push(end - start);
  }
  return { latency: latencyOf(Float64Array.from(values)), missing };
}

/** Waits until every probe has seen `last`, or `timeoutMs` has passed. */
async function settle(probes: Stamps[], last: number, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (performance.now() < until && probes.some((p) => p.get(last) === 0)) await sleep(50);
}

const ms = (v: number | undefined) => (v === undefined ? 'n/a' : `${v.toFixed(1)} ms`);

function rows(f: Figures): Row[] {
  return f.paths.map(({ name, latency: l, missing, target }) => [
    name,
    fmt(l?.count ?? 0),
    ms(l?.p50),
    ms(l?.p90),
    ms(l?.p99),
    ms(l?.max),
    fmt(missing),
    target === null ? '' : `p99 ≤ ${target} ms: ${(l?.p99 ?? Infinity) <= target && missing === 0 ? 'met' : 'NOT met'}`,
  ]);
}

function cpuRows(f: Figures): Row[] {
  const groups = Object.entries(f.cpu.groups).sort((a, b) => b[1] - a[1]);
  return [...groups.map(([g, p]) => [g, `${p.toFixed(0)} %`, f.cpu.rssMax[g] ? mb(f.cpu.rssMax[g]) : '']), ['whole machine', `${f.cpu.machine.toFixed(0)} %`, '']];
}

function limits(f: Figures): string {
  const get = (name: string) => f.paths.find((p) => p.name.startsWith(name))?.latency;
  const floor = get('JetStream');
  const live = get('graphql-ws');
  const queryable = get('queryable');
  return [
    `What limits it: at p99 a live reading reaches the graphql-ws client ${ms(live?.p99)} after its publish, against ${ms(floor?.p99)} for a JetStream consumer in the observers' process; the difference is the API's decode, filter, GraphQL execution and WebSocket write, and the API competing for the same two cores (whole machine ${f.cpu.machine.toFixed(0)} % of 200 %).`,
    `Queryable trails the stream by the projector's batching: it fetches what is pending, writes it in one transaction and commits, so a reading waits for the batch in hand plus its own (p50 ${ms(queryable?.p50)}).`,
    `The checkpoint is polled every ${POLL_MS} ms, which adds up to that much to the queryable figures. Other load on the machine: ${f.cpu.groups.other?.toFixed(0) ?? 0} % of one core outside this run.`,
  ].join(' ');
}

const HEADER: Row = ['publish → …', 'readings', 'p50', 'p90', 'p99', 'max', 'never arrived', 'target'];
const CPU_HEADER: Row = ['process', 'CPU, % of one core', 'RSS max'];

function goals(s: Settings, f: Figures): Goal[] {
  const path = (name: string) => f.paths.find((p) => p.name.startsWith(name));
  const ack = path('stream ack');
  const floor = path('JetStream');
  const row = (what: string, measured: typeof ack, target: number, base: typeof ack, baseName: string, limit: string): Goal => ({
    what,
    goal: `p99 ≤ ${target} ms`,
    measured: `p99 ${ms(measured?.latency?.p99)}${measured?.missing ? `, ${fmt(measured.missing)} never arrived` : ''}`,
    baseline: `${baseName} p99 ${ms(base?.latency?.p99)}`,
    ratio: base?.latency && measured?.latency ? `${(measured.latency.p99 / base.latency.p99).toFixed(1)}×` : 'n/a',
    met: (measured?.latency?.p99 ?? Infinity) <= target && measured?.missing === 0,
    limit,
  });
  return [
    row(`ingest latency at ${fmt(s.rate)} readings/s, publish → queryable`, path('queryable'), TARGET_QUERYABLE_P99, ack, 'stream ack', "the projector's batch in hand plus its own transaction"),
    row(`ingest latency at ${fmt(s.rate)} readings/s, publish → live subscriber`, path('graphql-ws'), TARGET_LIVE_P99, floor, 'JetStream consumer', "the API's decode, filter, execution and WebSocket write after the stream delivers"),
  ];
}

function report(s: Settings, machine: Machine, f: Figures, startedAt: Date) {
  const runLine = `${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, ${s.mode} run: ${fmt(s.rate)} readings/s for ${s.seconds} s (first ${s.warmupS} s left out), ${fmt(f.published)} published, ${f.errors} publish errors, ${f.lateTicks} late publisher ticks; measured over ${fmt(f.window)} readings`;
  const lines = (table: (h: Row, r: Row[]) => string, bullet: string) => [
    ...machineLines(machine).map((l) => `${bullet}${l}`),
    '',
    table(HEADER, rows(f)),
    '',
    table(CPU_HEADER, cpuRows(f)),
    '',
    limits(f),
  ];
  return { text: [`latency — ${runLine}`, ...lines(textTable, '')].join('\n'), markdown: [`_${runLine}._`, '', ...lines(markdownTable, '- ')].join('\n'), goals: goals(s, f) };
}

export const latency: Benchmark<LatencyFlags> = {
  name: 'latency',
  title: 'Latency: publish to queryable and to a live subscriber at 5,000 readings/s',
  flags: { rate: { type: 'string' }, warmup: { type: 'string' } },
  usage: ['--rate <n>    readings/s published (default 5,000)', '--warmup <s>  seconds left out at the start (default 5; quick 2)'],
  async run(options, flags, { cleanup, progress }) {
    const seconds = options.durationS ?? (options.quick ? 8 : 60);
    const s: Settings = {
      mode: options.quick ? 'quick' : 'full',
      rate: int('rate', flags.rate, 5000),
      seconds,
      warmupS: Math.min(seconds - 1, int('warmup', flags.warmup, options.quick ? 2 : 5, 0)),
    };
    const startedAt = new Date();
    const env = await createBenchEnv(cleanup);
    progress(`database ${env.databaseName}, streams BENCH_${env.id.toUpperCase()}_*`);
    const machine = await describeMachine(env.db, env.nc);
    const names = await env.createStreams('latency');
    const projector = startProjector(env, names, cleanup);
    const api = await startApi(env, names, cleanup);
    const queryable = watchCheckpoint(env.db, checkpointName(names), POLL_MS);
    cleanup.defer('stop polling the checkpoint', () => queryable.stop());
    const live = await subscribeApi(api.url, api.authorization.replace(/^Bearer /, ''));
    cleanup.defer('close the live client', () => live.stop());
    const floor = await consumeStream(env.nc, names.stream);
    cleanup.defer('stop the stream consumer', () => floor.stop());

    // The publisher runs in a process of its own: its work would otherwise delay the observers' stamps.
    const dir = mkdtempSync(join(tmpdir(), 'bench-latency-'));
    cleanup.defer('remove the stamp files', () => rmSync(dir, { recursive: true, force: true }));
    let counts: PublisherCounts | null = null;
    const publisher = startChild('publisher', 'bench/latency/publisher.ts', {
      env: env.childEnv(names),
      args: ['--rate', String(s.rate), '--seconds', String(s.seconds), '--out', join(dir, 'stamps')],
      onLine: (line) => {
        if (line.startsWith('{"published"')) counts = (JSON.parse(line) as { published: PublisherCounts }).published;
      },
    });
    cleanup.defer('stop the publisher', () => publisher.stop().then(() => undefined));
    const cpu = new CpuAverage(new Map([[projector.pid, 'projector'], [api.child.pid, 'api'], [publisher.pid, 'publisher'], [process.pid, 'observers (this process)']]), env.databaseName, env.natsUrl);
    progress(`publishing ${fmt(s.rate)} readings/s for ${s.seconds} s`);
    const code = await publisher.exited;
    const averages = cpu.stop();
    // Set by onLine, which TypeScript does not see run.
    const done = counts as PublisherCounts | null;
    if (code !== 0 || !done) throw new Error(`the publisher exited with ${code}:\n${publisher.tail()}`);
    const stamps = (kind: string) => new Stamps(new Float64Array(readFileSync(join(dir, `stamps.${kind}`)).buffer.slice(0)));
    const published = { ...done, sent: stamps('sent'), acked: stamps('acked') };
    if (published.firstError) progress(`${fmt(published.errors)} publishes failed, the first with: ${published.firstError}`);
    const last = published.count;
    await settle([queryable.stamps, live.stamps, floor.stamps], last, 30_000);
    if (live.errors.length) throw new Error(`the live subscription failed: ${JSON.stringify(live.errors[0])}; the API said:\n${api.child.tail()}`);
    if (!projector.running()) throw new Error(`the projector exited:\n${projector.tail()}`);

    // Sequences start at 1 in the fresh stream; the window skips the warm-up's readings.
    const from = Math.floor(s.rate * s.warmupS) + 1;
    const paths = [
      { name: 'stream ack (stored)', reached: published.acked, target: null },
      { name: 'JetStream ordered consumer (floor)', reached: floor.stamps, target: null },
      { name: 'graphql-ws subscriber of the API', reached: live.stamps, target: TARGET_LIVE_P99 },
      { name: 'queryable (committed in the read model)', reached: queryable.stamps, target: TARGET_QUERYABLE_P99 },
    ].map((p) => ({ name: p.name, target: p.target, ...between(published.sent, p.reached, from, last) }));
    const figures: Figures = { published: published.count, errors: published.errors, lateTicks: published.lateTicks, window: Math.max(0, last - from + 1), paths, cpu: averages };
    return report(s, machine, figures, startedAt);
  },
};
