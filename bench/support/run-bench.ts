/** Runs `npm run bench -- …` as a child process (for the benchmarks' smoke tests) and collects its output. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { SHARED_DATABASE_URL, SHARED_NATS_URL } from '../../test/support/env.ts';
import { ROOT } from './children.ts';

export function runBench(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/main.ts'), ...args], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: SHARED_DATABASE_URL, NATS_URL: SHARED_NATS_URL },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** What a finished run left behind: its database and streams, named in its progress output on stderr. */
export async function leftovers(stderr: string): Promise<{ database: string | undefined; streamId: string | undefined; databaseLeft: boolean; streamsLeft: string[] }> {
  const [, database, streamId] = stderr.match(/database (sensors_bench_[0-9a-f]+), streams (BENCH_[0-9A-F]+)_/) ?? [];
  const admin = new pg.Client({ connectionString: SHARED_DATABASE_URL });
  await admin.connect();
  const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]).finally(() => admin.end());
  const nc = await connect({ servers: SHARED_NATS_URL });
  const streamsLeft: string[] = [];
  try {
    for await (const name of (await jetstreamManager(nc)).streams.names()) if (name.startsWith(`${streamId}_`)) streamsLeft.push(name);
  } finally {
    await nc.close();
  }
  return { database, streamId, databaseLeft: (found.rowCount ?? 0) > 0, streamsLeft };
}
