/**
 * The latency benchmark's harness works: a short run at a low rate sees every reading of
 * its window at all four observers (stream ack, JetStream, the API's graphql-ws feed, the
 * read model), writes its section beside the others, and leaves nothing behind. Not a timing gate.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leftovers, runBench } from './support/run-bench.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-latency-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the latency benchmark', () => {
  it('times every reading of its window at every observer, writes its section and removes its database and streams', async () => {
    const out = join(dir, 'BENCHMARKS.md');
    writeFileSync(out, '# Benchmarks\n\n## Query\n\n<!-- bench:query:start -->\nkept\n<!-- bench:query:end -->\n');
    const run = await runBench(['latency', '--quick', '--rate', '300', '--duration', '4', '--warmup', '1', '--out', out]);
    expect(run.code, run.stderr).toBe(0);

    for (const path of ['stream ack', 'JetStream ordered consumer', 'graphql-ws subscriber', 'queryable']) {
      const cells = run.stdout.split('\n').find((l) => l.startsWith(path))?.split(/\s{2,}/) ?? [];
      // Cells: path, readings, p50, p90, p99, max, never arrived, target.
      expect(Number(cells[1]?.replaceAll(',', '')), `${path}: readings`).toBeGreaterThanOrEqual(600);
      expect(Number.parseFloat(cells[4] ?? ''), `${path}: p99`).toBeGreaterThan(0);
      expect(cells[6], `${path}: never arrived`).toBe('0');
    }
    const written = readFileSync(out, 'utf8');
    expect(written).toContain('<!-- bench:query:start -->\nkept\n<!-- bench:query:end -->');
    expect(written).toMatch(/<!-- bench:latency:start -->[\s\S]*What limits it[\s\S]*<!-- bench:latency:end -->/);

    const { database, databaseLeft, streamsLeft } = await leftovers(run.stderr);
    expect(database).toBeDefined();
    expect(databaseLeft).toBe(false);
    expect(streamsLeft).toEqual([]);
  }, 120_000);
});
