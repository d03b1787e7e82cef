/**
 * The load generator, run as its own process (`node --import tsx bench/query/load-client.ts <plan.json>`)
 * so that its CPU shows apart from the server's. N clients, each one request at a time
 * over its own keep-alive connection, cycle through the plan's requests; either as fast as
 * they are answered (closed loop) or paced to a total rate, with latency then counted from
 * each request's scheduled time so that a stall is not hidden (no coordinated omission):
 * answers in the timed window count, so a backlog grown in the warm-up shows as latency.
 * It prints `@@bench {"event":"measuring"}` when the timed window opens,
 * `@@bench {"event":"measured"}` when it closes and `@@bench {"event":"result",…}` at the end.
 */
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import pg from 'pg';
import { listReadings, type PageRequest } from '../../api/src/core/readings/queries.ts';
import type { ReadingFilter } from '../../schema/src/index.ts';
import { summarize, type LatencySummary } from './latency.ts';

export type Span = { seconds: number } | { requests: number };

export interface SqlRequest {
  filter: ReadingFilter;
  page: PageRequest;
}

export type LoadTarget =
  | { kind: 'http'; url: string; authorization: string | null; bodies: string[] }
  /** The API's own query function against Postgres, with a pool as large as the API's. */
  | { kind: 'sql'; databaseUrl: string; poolSize: number; requests: SqlRequest[] };

export interface LoadPlan {
  target: LoadTarget;
  concurrency: number;
  warmup: Span;
  measure: Span;
  /** Total requests/s to pace the clients to; null for a closed loop. */
  rate: number | null;
  /** Every n-th answer is parsed in full and its items counted (the rest are only checked for errors). */
  checkEvery: number;
}

export interface LoadResult extends LatencySummary {
  /** Mean size of the checked answers: readings on the page, or the totalCount. */
  meanItems: number;
  checked: number;
  firstError: string | null;
  /** Paced runs: requests sent more than 1 ms after their scheduled time. */
  late: number;
  /** Paced runs: requests due by the end of the run that were not answered by then (the backlog). */
  behind: number;
}

export const RESULT_PREFIX = '@@bench ';

type Send = (index: number) => Promise<{ ok: boolean; error?: string; items?: number }>;

/** The length of the first list in an answer (a page's nodes), or else its first number (a totalCount). */
function answerSize(value: unknown): number | undefined {
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) {
      const found = answerSize(child);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

function httpSender(target: Extract<LoadTarget, { kind: 'http' }>, concurrency: number, checkEvery: number): { send: Send; close(): Promise<void> } {
  const url = new URL(target.url);
  // FIFO: every connection takes its turn, so none sits idle long enough for the server to close it under a request.
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, scheduling: 'fifo' });
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (target.authorization) headers.authorization = target.authorization;
  const bodies = target.bodies.map((b) => Buffer.from(b));
  let sent = 0;
  const post = (body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...headers, 'content-length': String(body.length) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  return {
    async send(index) {
      const { status, text } = await post(bodies[index % bodies.length]!);
      const check = ++sent % checkEvery === 1 % checkEvery;
      if (status !== 200 || text.includes('"errors"')) return { ok: false, error: `HTTP ${status}: ${text.slice(0, 300)}` };
      if (!check) return { ok: true };
      const parsed = JSON.parse(text) as { data?: unknown };
      return { ok: true, items: answerSize(parsed.data) ?? 0 };
    },
    async close() {
      agent.destroy();
    },
  };
}

function sqlSender(target: Extract<LoadTarget, { kind: 'sql' }>): { send: Send; close(): Promise<void> } {
  // The API's connections speak UTC (api/src/app.ts); so do these.
  const pool = new pg.Pool({ connectionString: target.databaseUrl, max: target.poolSize, options: '-c TimeZone=UTC', application_name: 'bench-sql' });
  return {
    async send(index) {
      const r = target.requests[index % target.requests.length]!;
      const page = await listReadings(pool, 'active', r.filter, r.page);
      return { ok: true, items: page.rows.length };
    },
    close: () => pool.end(),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs the plan. `closeDelayMs` keeps the connections open that long after the `measured`
 * event, for a parent process that reads the CPU time of the servers behind them.
 */
export async function runLoad(plan: LoadPlan, emit: (event: Record<string, unknown>) => void, closeDelayMs = 0): Promise<LoadResult> {
  const sender = plan.target.kind === 'http' ? httpSender(plan.target, plan.concurrency, plan.checkEvery) : sqlSender(plan.target);
  const requestCount = plan.target.kind === 'http' ? plan.target.bodies.length : plan.target.requests.length;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let items = 0;
  let checked = 0;
  let late = 0;

  const started = performance.now();
  const warmupEndsAt = 'seconds' in plan.warmup ? started + plan.warmup.seconds * 1000 : Infinity;
  const warmupRequests = 'requests' in plan.warmup ? plan.warmup.requests : Infinity;
  const measureRequests = 'requests' in plan.measure ? plan.measure.requests : Infinity;
  let measureFrom: number | null = null;
  let measureTo = Infinity;
  let warmupIssued = 0;
  let measuredIssued = 0;
  let slots = 0;
  let answered = 0;

  function openWindow(at: number): void {
    if (measureFrom !== null) return;
    measureFrom = at;
    if ('seconds' in plan.measure) measureTo = at + plan.measure.seconds * 1000;
    emit({ event: 'measuring' });
  }

  if (plan.rate) {
    if (!('seconds' in plan.warmup && 'seconds' in plan.measure)) throw new Error('a paced run is timed in seconds');
    measureTo = warmupEndsAt + plan.measure.seconds * 1000;
    setTimeout(() => openWindow(warmupEndsAt), warmupEndsAt - started);
  }

  /** When the next request is due, and whether it is measured; null when the run is over. */
  async function nextRequest(): Promise<{ scheduled: number; measured: boolean } | null> {
    if (plan.rate) {
      // Open loop: the schedule runs on the wall clock whether or not answers keep up.
      const scheduled = started + slots++ * (1000 / plan.rate);
      if (scheduled >= measureTo || performance.now() >= measureTo) return null;
      const wait = scheduled - performance.now();
      if (wait > 1) await sleep(wait);
      if (performance.now() - scheduled > 1) late += 1;
      // Measured by when it is answered (below): a backlog built in the warm-up shows as latency.
      return { scheduled, measured: true };
    }
    const now = performance.now();
    if (measureFrom === null && (now >= warmupEndsAt || warmupIssued >= warmupRequests)) openWindow(now);
    if (measureFrom === null) {
      warmupIssued += 1;
      return { scheduled: now, measured: false };
    }
    if (now >= measureTo || measuredIssued >= measureRequests) return null;
    measuredIssued += 1;
    return { scheduled: now, measured: true };
  }

  async function client(id: number): Promise<void> {
    let index = id * Math.max(1, Math.floor(requestCount / plan.concurrency));
    for (let slot = await nextRequest(); slot; slot = await nextRequest()) {
      let outcome: Awaited<ReturnType<Send>>;
      try {
        outcome = await sender.send(index++);
      } catch (error) {
        outcome = { ok: false, error: (error as Error).message };
      }
      const end = performance.now();
      if (end > measureTo) return;
      answered += 1;
      if (!slot.measured || end < (measureFrom ?? Infinity)) continue;
      if (!outcome.ok) {
        errors += 1;
        firstError ??= outcome.error ?? 'unknown error';
        continue;
      }
      latencies.push(end - slot.scheduled);
      if (outcome.items !== undefined) {
        items += outcome.items;
        checked += 1;
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: plan.concurrency }, (_, i) => client(i)));
    emit({ event: 'measured' });
    if (closeDelayMs > 0) await sleep(closeDelayMs);
  } finally {
    await sender.close();
  }
  const from = measureFrom ?? started;
  const to = Number.isFinite(measureTo) ? measureTo : performance.now();
  return {
    ...summarize(Float64Array.from(latencies), errors, (Math.min(to, performance.now()) - from) / 1000),
    meanItems: checked ? items / checked : 0,
    checked,
    firstError,
    late,
    behind: plan.rate ? Math.max(0, Math.floor(((measureTo - started) * plan.rate) / 1000) - answered) : 0,
  };
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: load-client.ts <plan.json>');
  const plan = JSON.parse(readFileSync(file, 'utf8')) as LoadPlan;
  const emit = (event: Record<string, unknown>) => process.stdout.write(`${RESULT_PREFIX}${JSON.stringify(event)}\n`);
  // The parent reads the CPU time of the Postgres backends behind our connections from /proc at
  // `measured`: they must still be there, so the connections stay open a moment longer.
  const result = await runLoad(plan, emit, 200);
  emit({ event: 'result', result });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`load generator failed: ${(error as Error).stack ?? String(error)}\n`);
      process.exit(1);
    },
  );
}
