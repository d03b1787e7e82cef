/**
 * The ingest benchmark's harness works: a very short run measures a positive
 * end-to-end rate, writes its section, and leaves no database or stream behind.
 * Not a timing gate: the figures of so short a run mean nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { SHARED_DATABASE_URL, SHARED_NATS_URL } from '../test/support/env.ts';
import { runBench } from './support/run-bench.ts';

const dir = mkdtempSync(join(tmpdir(), 'bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the ingest benchmark', () => {
  it('measures a positive end-to-end rate, writes its section and removes its database and streams', async () => {
    const out = join(dir, 'BENCHMARKS.md');
    writeFileSync(out, '# Benchmarks\n\n## Query\n\n<!-- bench:query:start -->\nkept\n<!-- bench:query:end -->\n');
    const run = await runBench(['ingest', '--quick', '--duration', '3', '--fixed-duration', '2', '--messages', '3000', '--out', out]);
    expect(run.code, run.stderr).toBe(0);

    const rate = run.stdout.match(/end to end, committed readings\/s[^\n]*?\s([\d,]+)\/s/)?.[1];
    expect(Number(rate?.replaceAll(',', ''))).toBeGreaterThan(0);
    const written = readFileSync(out, 'utf8');
    expect(written).toContain('<!-- bench:query:start -->\nkept\n<!-- bench:query:end -->');
    expect(written).toMatch(/<!-- bench:ingest:start -->[\s\S]*end to end, committed readings\/s[\s\S]*<!-- bench:ingest:end -->/);

    const [, database, streamId] = run.stderr.match(/database (sensors_bench_[0-9a-f]+), streams (BENCH_[0-9A-F]+)_/) ?? [];
    expect(database).toBeDefined();
    const admin = new pg.Client({ connectionString: SHARED_DATABASE_URL });
    await admin.connect();
    const left = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]).finally(() => admin.end());
    expect(left.rowCount).toBe(0);
    const nc = await connect({ servers: SHARED_NATS_URL });
    try {
      const ours: string[] = [];
      for await (const name of (await jetstreamManager(nc)).streams.names()) if (name.startsWith(`${streamId}_`)) ours.push(name);
      expect(ours).toEqual([]);
    } finally {
      await nc.close();
    }
  }, 60_000);
});
