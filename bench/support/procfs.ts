/**
 * Reading processes from /proc (Linux): resident memory, and CPU time per
 * process group, pidstat-style, so a benchmark can say which process was busy.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

export interface ProcessSample {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
  /** user + system CPU time, in clock ticks. */
  ticks: number;
}

function clockTicksPerSecond(): number {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
}

const TICKS_PER_SECOND = clockTicksPerSecond();
const CORES = cpus().length;

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** VmRSS of a process in bytes, or null once it is gone. */
export function rssBytes(pid: number): number | null {
  const status = readText(`/proc/${pid}/status`);
  const match = status?.match(/^VmRSS:\s+(\d+)\s+kB/m);
  return match ? Number(match[1]) * 1024 : null;
}

function readProcess(pid: number): ProcessSample | null {
  const stat = readText(`/proc/${pid}/stat`);
  if (!stat) return null;
  // The command name is in parentheses and may itself hold spaces or parentheses.
  const open = stat.indexOf('(');
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  const cmdline = (readText(`/proc/${pid}/cmdline`) ?? '').replaceAll('\0', ' ').trim();
  return {
    pid,
    ppid: Number(fields[1]),
    comm: stat.slice(open + 1, close),
    cmdline,
    ticks: Number(fields[11]) + Number(fields[12]),
  };
}

export function listProcesses(): ProcessSample[] {
  const out: ProcessSample[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const sample = readProcess(Number(entry));
    if (sample) out.push(sample);
  }
  return out;
}

/** Busy and total CPU ticks of the whole machine (all cores). */
function machineTicks(): { busy: number; total: number } {
  const line = readText('/proc/stat')?.split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/**
 * Names the group a process belongs to, or null to look at its parent (so the
 * helpers a process starts — esbuild under tsx — count towards it).
 */
export type Classify = (process: ProcessSample) => string | null;

export interface CpuReading {
  /** Seconds since the previous reading. */
  seconds: number;
  /** CPU per group in % of one core (so a 2-core machine tops out at 200). */
  groups: Record<string, number>;
  /** The whole machine, same unit. */
  machine: number;
}

export const OTHER = 'other';

export class CpuMeter {
  private previous = new Map<number, number>();
  private previousMachine = machineTicks();
  private previousAt = performance.now();

  constructor(private readonly classify: Classify) {
    for (const p of listProcesses()) this.previous.set(p.pid, p.ticks);
  }

  read(): CpuReading {
    const now = performance.now();
    const processes = listProcesses();
    const machine = machineTicks();
    const byPid = new Map(processes.map((p) => [p.pid, p]));
    const groups: Record<string, number> = {};
    const current = new Map<number, number>();
    const seconds = (now - this.previousAt) / 1000;
    for (const p of processes) {
      current.set(p.pid, p.ticks);
      const spent = p.ticks - (this.previous.get(p.pid) ?? 0);
      if (spent <= 0) continue;
      const group = this.groupOf(p, byPid);
      groups[group] = (groups[group] ?? 0) + spent;
    }
    for (const group of Object.keys(groups)) groups[group] = (100 * groups[group]!) / TICKS_PER_SECOND / seconds;
    const machineShare = (machine.busy - this.previousMachine.busy) / Math.max(1, machine.total - this.previousMachine.total);
    this.previous = current;
    this.previousMachine = machine;
    this.previousAt = now;
    return { seconds, groups, machine: 100 * CORES * machineShare };
  }

  private groupOf(p: ProcessSample, byPid: Map<number, ProcessSample>): string {
    for (let at: ProcessSample | undefined = p, depth = 0; at && depth < 16; at = byPid.get(at.ppid), depth++) {
      const group = this.classify(at);
      if (group) return group;
    }
    return OTHER;
  }
}
