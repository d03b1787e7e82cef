/**
 * Requests from this process in a closed loop: `concurrency` workers, each one request at a
 * time, through `send`. The HTTP paths use the query benchmark's load client in-process
 * (its keep-alive node:http sender); this drives the paths that call Postgres through `pg`.
 */
import { summarize } from '../query/latency.ts';
import type { LoadResult } from '../query/load-client.ts';

export interface ClosedLoop {
  concurrency: number;
  /** Requests sent before the timed ones (their answers are not counted). */
  warmup: number;
  /** Timed requests. */
  requests: number;
}

/** `send(i)` answers the i-th request and returns how many items (buckets) the answer held. */
export type Send = (index: number) => Promise<number>;

export async function closedLoop(plan: ClosedLoop, send: Send): Promise<LoadResult> {
  let issued = 0;
  const total = plan.warmup + plan.requests;
  const latencies: number[] = [];
  let items = 0;
  let errors = 0;
  let firstError: string | null = null;
  let measureFrom: number | null = null;

  async function worker(): Promise<void> {
    for (let index = issued++; index < total; index = issued++) {
      const timed = index >= plan.warmup;
      const start = performance.now();
      measureFrom ??= timed ? start : null;
      try {
        const n = await send(index);
        if (!timed) continue;
        latencies.push(performance.now() - start);
        items += n;
      } catch (error) {
        if (!timed) continue;
        errors += 1;
        firstError ??= (error as Error).message;
      }
    }
  }

  await Promise.all(Array.from({ length: plan.concurrency }, worker));
  const seconds = measureFrom === null ? 0 : (performance.now() - measureFrom) / 1000;
  return {
    ...summarize(Float64Array.from(latencies), errors, seconds),
    meanItems: latencies.length ? items / latencies.length : 0,
    checked: latencies.length,
    firstError,
    late: 0,
    behind: 0,
  };
}
