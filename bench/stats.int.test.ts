/**
 * The stats benchmark's harness works: a tiny run (20,000 readings, 10 requests per path,
 * a 3 s simulator of 2,000 devices) checks the API against the raw aggregate, measures
 * positive figures for every path and the simulator, writes its section beside the others,
 * and leaves no database or stream behind. Not a timing gate: so short a run means nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leftovers, runBench } from './support/run-bench.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-stats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The cells of the first stdout table row whose leading cells start with `leading`, in order. */
function row(stdout: string, ...leading: string[]): string[] {
  const rows = stdout.split('\n').map((l) => l.split(/\s{2,}/));
  return rows.find((cells) => leading.every((p, i) => cells[i]?.startsWith(p))) ?? [];
}

const number = (cell: string | undefined) => Number(cell?.replace(/[^\d.]/g, '') || NaN);

describe('the stats benchmark', () => {
  it('checks the answers, measures every path and the simulator, writes its section and removes its database and streams', async () => {
    const out = join(dir, 'BENCHMARKS.md');
    writeFileSync(out, '# Benchmarks\n\n## Query\n\n<!-- bench:query:start -->\nkept\n<!-- bench:query:end -->\n');
    const run = await runBench(['stats', '--quick', '--rows', '20000', '--samples', '10', '--variants', '8', '--devices', '2000', '--duration', '3', '--out', out]);
    expect(run.code, run.stderr).toBe(0);

    expect(number(run.stdout.match(/for all ([\d,]+) distinct requests[^\n]*equals the raw aggregate/)?.[1])).toBeGreaterThan(0);
    // Latency rows end with: req/s, p50, p90, p99, max, errors, buckets/answer.
    for (const shape of ['device × day, HOUR', 'all devices × hour, MINUTE']) {
      for (const path of ['API readingStats', "the API's SQL alone", 'raw aggregate']) {
        for (const clients of ['1', '8']) {
          const cells = row(run.stdout, shape, path, clients);
          expect(cells[2], `${shape}, ${path}, ${clients} clients`).toBe(clients);
          expect(number(cells.at(-4)), `${shape}, ${path}, ${clients} clients: p99`).toBeGreaterThan(0);
          expect(number(cells.at(-2)), `${shape}, ${path}, ${clients} clients: errors`).toBe(0);
          expect(number(cells.at(-1)), `${shape}, ${path}, ${clients} clients: buckets`).toBeGreaterThan(0);
        }
      }
    }
    expect(number(row(run.stdout, 'acked into the stream').at(-1))).toBeGreaterThan(0);
    expect(number(row(run.stdout, 'RSS max / at the end').at(-1)?.split('/')[0])).toBeGreaterThan(0);
    expect(row(run.stdout, 'simulator RSS ≤ 500 MB').at(-1)).toBe('met');

    const written = readFileSync(out, 'utf8');
    expect(written).toContain('<!-- bench:query:start -->\nkept\n<!-- bench:query:end -->');
    expect(written).toMatch(/<!-- bench:stats:start -->[\s\S]*loaded directly, not projected[\s\S]*Targets \(issue #5\)[\s\S]*What limits it[\s\S]*<!-- bench:stats:end -->/);

    const { database, databaseLeft, streamsLeft } = await leftovers(run.stderr);
    expect(database).toBeDefined();
    expect(databaseLeft).toBe(false);
    expect(streamsLeft).toEqual([]);
  }, 60_000);
});
