/** Runs the load generator as a child process and reads its result and the CPU of its timed window. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startChild } from '../support/children.ts';
import type { Cleanup } from '../support/cleanup.ts';
import { monotonicMicros } from '../support/cpuprofile-window.ts';
import type { CpuReading } from '../support/procfs.ts';
import type { ProcessGroups } from './cpu.ts';
import { RESULT_PREFIX, type LoadPlan, type LoadResult } from './load-client.ts';

export interface Measured {
  result: LoadResult;
  cpu: CpuReading;
  /** The timed window on the monotonic clock (µs), to cut a CPU profile to it. */
  window: { startMicros: number; endMicros: number };
}

export class LoadRunner {
  private readonly dir: string;
  private runs = 0;

  constructor(
    private readonly cleanup: Cleanup,
    private readonly groups: ProcessGroups,
  ) {
    this.dir = mkdtempSync(join(tmpdir(), 'bench-query-'));
    cleanup.defer('remove the load plans', () => rmSync(this.dir, { recursive: true, force: true }));
  }

  async run(plan: LoadPlan): Promise<Measured> {
    const file = join(this.dir, `plan-${++this.runs}.json`);
    writeFileSync(file, JSON.stringify(plan));
    let result: LoadResult | null = null;
    let cpu: CpuReading | null = null;
    const window = { startMicros: 0, endMicros: 0 };
    const child = startChild('load generator', 'bench/query/load-client.ts', {
      env: {},
      args: [file],
      onLine: (line) => {
        if (!line.startsWith(RESULT_PREFIX)) return;
        const event = JSON.parse(line.slice(RESULT_PREFIX.length)) as { event: string; result?: LoadResult };
        if (event.event === 'measuring') {
          this.groups.start();
          window.startMicros = monotonicMicros();
        }
        if (event.event === 'measured') {
          cpu = this.groups.read();
          window.endMicros = monotonicMicros();
        }
        if (event.event === 'result' && event.result) result = event.result;
      },
    });
    this.groups.name(child.pid, 'load generator');
    this.cleanup.defer(`stop load generator ${this.runs}`, () => child.stop(2000).then(() => undefined));
    const code = await child.exited;
    if (code !== 0 || !result || !cpu) throw new Error(`the load generator exited with ${code}:\n${child.tail()}`);
    return { result, cpu, window };
  }
}
