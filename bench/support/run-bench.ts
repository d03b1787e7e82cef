/** Runs `npm run bench -- …` as a child process (for the benchmarks' smoke tests) and collects its output. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
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
