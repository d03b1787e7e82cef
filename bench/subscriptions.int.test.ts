/**
 * The subscriptions benchmark's harness works: a tiny run (50 subscriptions, a few
 * seconds) gets every reading its subscriptions' devices published, once, writes its
 * section, and leaves no database, stream or child process behind.
 * Not a timing gate: the latency of so short a run on a shared machine means little.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listProcesses } from './support/procfs.ts';
import { leftovers, runBench } from './support/run-bench.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const figure = (text: string, label: string) => text.match(new RegExp(`${label}\\s+(.+?)\\s{2,}`))?.[1];
const numbers = (cell: string | undefined) => (cell ?? '').split('/').map((n) => Number(n.trim().replaceAll(',', '')));

describe('the subscriptions benchmark', () => {
  it('delivers every expected reading once to 50 subscriptions, writes its section and cleans up', async () => {
    const out = join(dir, 'BENCHMARKS.md');
    writeFileSync(out, '# Benchmarks\n\n## Ingest\n\n<!-- bench:ingest:start -->\nkept\n<!-- bench:ingest:end -->\n');
    const run = await runBench(['subscriptions', '--quick', '--subscriptions', '50', '--rate', '50', '--duration', '3', '--settle', '0', '--out', out]);
    expect(run.code, run.stderr).toBe(0);

    const [delivered, expected] = numbers(figure(run.stdout, 'readings delivered / expected \\(healthy subscriptions\\)'));
    expect(expected).toBeGreaterThan(0);
    expect(delivered).toBe(expected);
    expect(numbers(figure(run.stdout, 'duplicates / misdelivered / out of order'))).toEqual([0, 0, 0]);
    expect(numbers(figure(run.stdout, 'subscriptions healthy / total'))).toEqual([50, 50]);
    const written = readFileSync(out, 'utf8');
    expect(written).toContain('<!-- bench:ingest:start -->\nkept\n<!-- bench:ingest:end -->');
    expect(written).toMatch(/<!-- bench:subscriptions:start -->[\s\S]*readings delivered \/ expected[\s\S]*What limits it[\s\S]*<!-- bench:subscriptions:end -->/);

    const { database, streamId, databaseLeft, streamsLeft } = await leftovers(run.stderr);
    expect(database).toBeDefined();
    expect(databaseLeft).toBe(false);
    expect(streamsLeft).toEqual([]);
    // No API, simulator or load process of the run is left running (each has the stream's name in its environment).
    const environ = (pid: number) => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8');
      } catch {
        return '';
      }
    };
    expect(listProcesses().filter((p) => environ(p.pid).includes(`${streamId}_SUBS`)).map((p) => p.cmdline)).toEqual([]);
  }, 60_000);
});
