/**
 * The query benchmark's harness works: a tiny run (100,000 readings, 1 s phases) measures
 * positive figures for every part, writes its section beside the others, and leaves no
 * database or stream behind. Not a timing gate: so short a run on a busy machine means nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leftovers, runBench } from './support/run-bench.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-query-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The number `fromEnd` cells from the end of the stdout table row starting with `label` (1 = last). */
function cell(stdout: string, label: string, fromEnd: number): number {
  const cells = stdout.split('\n').find((l) => l.startsWith(label))?.split(/\s{2,}/) ?? [];
  return Number(cells.at(-fromEnd)?.replaceAll(',', ''));
}

describe('the query benchmark', () => {
  it('measures every part with positive figures, writes its section and removes its database and streams', async () => {
    const out = join(dir, 'BENCHMARKS.md');
    writeFileSync(out, '# Benchmarks\n\n## Ingest\n\n<!-- bench:ingest:start -->\nkept\n<!-- bench:ingest:end -->\n');
    const run = await runBench(['query', '--quick', '--rows', '100000', '--duration', '1', '--warmup', '0', '--samples', '10', '--mutations', '4', '--out', out]);
    expect(run.code, run.stderr).toBe(0);

    // Load rows end with: clients, req/s, p50, p90, p99, max, errors, rows/answer.
    for (const label of ['baseline: bare graphql-yoga', "baseline: the API's SQL alone", 'API `readings`, device (code + number)', 'API `readings`, deviceCode']) {
      expect(cell(run.stdout, label, 7), `${label} req/s`).toBeGreaterThan(0);
      expect(cell(run.stdout, label, 4), `${label} p99`).toBeGreaterThan(0);
      expect(cell(run.stdout, label, 2), `${label} errors`).toBe(0);
    }
    expect(cell(run.stdout, 'API `readings`, device (code + number)', 1)).toBe(100);
    // Cursor rows: one at a time p50, p99, then clients req/s, p50, p99, rows/answer.
    expect(cell(run.stdout, 'all readings, page 1 ', 6)).toBeGreaterThan(0);
    expect(cell(run.stdout, 'all readings, page 1 ', 3)).toBeGreaterThan(0);
    expect(cell(run.stdout, 'all readings, page 1 ', 1)).toBe(100);
    // totalCount rows: p50, p90, p99, max, mean totalCount.
    expect(cell(run.stdout, 'totalCount, deviceCode + 1 day', 3)).toBeGreaterThan(0);
    expect(cell(run.stdout, 'totalCount, deviceCode + 1 day', 1)).toBeGreaterThan(0);
    // The update row: calls, p50, p90, p99, max.
    expect(cell(run.stdout, 'updateReadings of exactly 100 readings', 5)).toBe(4);
    expect(cell(run.stdout, 'updateReadings of exactly 100 readings', 2)).toBeGreaterThan(0);
    expect(run.stdout).toMatch(/page: device \+ 1 hour\s+Index Scan/);

    const written = readFileSync(out, 'utf8');
    expect(written).toContain('<!-- bench:ingest:start -->\nkept\n<!-- bench:ingest:end -->');
    expect(written).toMatch(/<!-- bench:query:start -->[\s\S]*Targets \(issue #3\)[\s\S]*What limits it[\s\S]*<!-- bench:query:end -->/);

    const { database, databaseLeft, streamsLeft } = await leftovers(run.stderr);
    expect(database).toBeDefined();
    expect(databaseLeft).toBe(false);
    expect(streamsLeft).toEqual([]);
  }, 90_000);
});
