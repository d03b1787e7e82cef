/**
 * `npm run rebuild` itself, as a child process against the benchmark's stream and
 * database, watched from outside: its own timing, memory and CPU by process.
 */
import { join } from 'node:path';
import type { StreamNames } from '../../schema/src/subjects.ts';
import { ROOT, startChild } from '../support/children.ts';
import type { Cleanup } from '../support/cleanup.ts';
import type { BenchEnv } from '../support/isolated.ts';
import { CpuAverage } from '../support/cpu-average.ts';

export interface RebuildRun {
  /** The readings read models (readings, devices, rollups), as the rebuild timed them (replay and swap, without process start-up). */
  seconds: number;
  /** The alarms' own replay that follows, as timed by the rebuild. */
  alarmsSeconds: number;
  /** From spawn to exit. */
  wallSeconds: number;
  checkpoint: number;
  checksum: string;
  rssMax: number;
  /** Mean % of one core per process group over the run, and the whole machine. */
  cpu: Record<string, number>;
  machineCpu: number;
}

const DONE = /^rebuilt \S+ up to sequence (\d+) in ([\d.]+) s; read-model checksum (\S+)$/;
const ALARMS_DONE = /^rebuilt the alarms up to sequence \d+ in ([\d.]+) s;/;

export async function runRebuild(env: BenchEnv, names: StreamNames, batchSize: number, cleanup: Cleanup, progress: (line: string) => void): Promise<RebuildRun> {
  let done: RegExpMatchArray | null = null;
  let alarmsDone: RegExpMatchArray | null = null;
  let lastProgress = 0;
  const startedAt = performance.now();
  const child = startChild('rebuild', join(ROOT, 'projector/src/rebuild/main.ts'), {
    env: { ...env.childEnv(names), PROJECTOR_BATCH_SIZE: String(batchSize) },
    onLine: (line) => {
      done ??= line.match(DONE);
      alarmsDone ??= line.match(ALARMS_DONE);
      if (line.startsWith('rebuild: ') && performance.now() - lastProgress > 5000) {
        lastProgress = performance.now();
        progress(line);
      }
    },
  });
  cleanup.defer('stop the rebuild', async () => void (await child.stop()));
  const cpu = new CpuAverage(new Map([[child.pid, 'rebuild']]), env.databaseName, env.natsUrl);
  const code = await child.exited;
  const averages = cpu.stop();
  const wallSeconds = (performance.now() - startedAt) / 1000;
  const match = done as RegExpMatchArray | null;
  if (code !== 0 || !match) throw new Error(`the rebuild exited with ${code}:\n${child.tail()}`);
  return {
    checkpoint: Number(match[1]),
    seconds: Number(match[2]),
    alarmsSeconds: Number((alarmsDone as RegExpMatchArray | null)?.[1] ?? NaN),
    checksum: match[3]!,
    wallSeconds,
    rssMax: averages.rssMax.rebuild ?? 0,
    cpu: averages.groups,
    machineCpu: averages.machine,
  };
}
