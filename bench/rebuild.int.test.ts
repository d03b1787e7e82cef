/**
 * The rebuild benchmark's harness works: a tiny run fills a stream, measures every floor,
 * runs the real `npm run rebuild` to the end, finds every event as a row, writes its
 * section beside the others, and leaves no database or stream behind. Not a timing gate.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { leftovers, runBench } from './support/run-bench.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-rebuild-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rate = (stdout: string, label: string) => Number(stdout.split('\n').find((l) => l.startsWith(label))?.match(/\s([\d,]+)\/s/)?.[1]?.replaceAll(',', '') ?? NaN);

describe('the rebuild benchmark', () => {
  it('rebuilds every event, measures its floors, writes its section and removes its database and streams', async () => {
    const out = join(dir, 'BENCHMARKS.md');
    writeFileSync(out, '# Benchmarks\n\n## Query\n\n<!-- bench:query:start -->\nkept\n<!-- bench:query:end -->\n');
    const run = await runBench(['rebuild', '--quick', '--events', '6000', '--batch-size', '1000', '--out', out]);
    expect(run.code, run.stderr).toBe(0);

    expect(run.stdout).toMatch(/rows in readings after the swap \/ events\s+6,000 \/ 6,000\s+all there/);
    for (const label of ['rebuild, events/s', 'JetStream: read the stream alone', 'decodeStored', 'COPY of the same 6,000 rows', "projector's SQL", 'filling the stream']) {
      expect(rate(run.stdout, label), label).toBeGreaterThan(0);
    }
    const written = readFileSync(out, 'utf8');
    expect(written).toContain('<!-- bench:query:start -->\nkept\n<!-- bench:query:end -->');
    expect(written).toMatch(/<!-- bench:rebuild:start -->[\s\S]*What limits it[\s\S]*<!-- bench:rebuild:end -->/);

    const { database, databaseLeft, streamsLeft } = await leftovers(run.stderr);
    expect(database).toBeDefined();
    expect(databaseLeft).toBe(false);
    expect(streamsLeft).toEqual([]);
  }, 120_000);
});
