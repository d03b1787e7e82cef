/**
 * Cuts a V8 .cpuprofile (from `node --cpu-prof`) down to a time window, so a summary
 * covers the measured phase and not the start-up or ramp-up before it. V8 stamps
 * samples with the monotonic clock in microseconds, the clock `process.hrtime` reads
 * in every process on the machine, so a window noted by the parent applies.
 */
import { readFileSync, writeFileSync } from 'node:fs';

interface CpuProfile {
  nodes: unknown[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Microseconds on the monotonic clock, comparable with a profile's sample times. */
export const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/** Writes to `to` the samples of `from` taken between `startMicros` and `endMicros`; returns how many were kept. */
export function sliceProfile(from: string, to: string, startMicros: number, endMicros: number): number {
  const profile = JSON.parse(readFileSync(from, 'utf8')) as CpuProfile;
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  let at = profile.startTime;
  let previousKept = startMicros;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < startMicros || at > endMicros) return;
    samples.push(id);
    timeDeltas.push(at - previousKept);
    previousKept = at;
  });
  writeFileSync(to, JSON.stringify({ ...profile, startTime: startMicros, endTime: Math.min(endMicros, profile.endTime), samples, timeDeltas }));
  return samples.length;
}
