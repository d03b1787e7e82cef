/**
 * The ingest benchmark's harness works: a very short run measures a positive
 * end-to-end rate, writes its section, and leaves no database or stream behind.
 * Not a timing gate: the figures of so short a run mean nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leftovers, runBench } from './support/run-bench.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the ingest benchmark', () => {
  it('measures a positive end-to-end rate, writes its section and removes its database and streams', async () => {
    const out = join(dir, 'BENCHMARKS.md');
    writeFileSync(out, '# Benchmarks\n\n## Query\n\n<!-- bench:query:start -->\nkept\n<!-- bench:query:end -->\n');
    const run = await runBench(['ingest', '--quick', '--duration', '3', '--fixed-duration', '2', '--messages', '3000', '--out', out]);
    expect(run.code, run.stderr).toBe(0);

    // So short a run under load may commit nothing inside its rate window: check the figure is there, and that every reading arrived.
    const rate = run.stdout.match(/end to end, committed readings\/s[^\n]*?\s([\d,]+)\/s/)?.[1];
    expect(Number(rate?.replaceAll(',', ''))).toBeGreaterThanOrEqual(0);
    const [, inStream, inReadModel] = run.stdout.match(/readings in stream \/ rows in read model at end\s+([\d,]+) \/ ([\d,]+)\s+all committed/) ?? [];
    expect(Number(inStream?.replaceAll(',', ''))).toBeGreaterThan(0);
    expect(inReadModel).toBe(inStream);
    const written = readFileSync(out, 'utf8');
    expect(written).toContain('<!-- bench:query:start -->\nkept\n<!-- bench:query:end -->');
    expect(written).toMatch(/<!-- bench:ingest:start -->[\s\S]*end to end, committed readings\/s[\s\S]*<!-- bench:ingest:end -->/);

    const { database, databaseLeft, streamsLeft } = await leftovers(run.stderr);
    expect(database).toBeDefined();
    expect(databaseLeft).toBe(false);
    expect(streamsLeft).toEqual([]);
  }, 60_000);
});
