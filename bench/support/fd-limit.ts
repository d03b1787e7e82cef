/**
 * Open-file limits of a child process (Linux): a benchmark that opens thousands of
 * sockets checks that its children may, and raises the limit with `prlimit` when it is
 * too low (raising the hard limit needs root; otherwise up to the hard limit).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface FdLimit {
  soft: number;
  hard: number;
}

export function fdLimit(pid: number): FdLimit | null {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const [soft, hard] = line?.slice('Max open files'.length).trim().split(/\s+/) ?? [];
    const parse = (v: string | undefined) => (v === 'unlimited' ? Infinity : Number(v));
    return soft && hard ? { soft: parse(soft), hard: parse(hard) } : null;
  } catch {
    return null;
  }
}

/** Makes sure `pid` may open `needed` files; returns the limit it ends up with (still too low if prlimit failed). */
export function ensureFdLimit(pid: number, needed: number): FdLimit | null {
  const current = fdLimit(pid);
  if (!current || current.soft >= needed) return current;
  const hard = Math.max(current.hard, needed);
  try {
    execFileSync('prlimit', ['--pid', String(pid), `--nofile=${needed}:${Number.isFinite(hard) ? hard : 'unlimited'}`], { stdio: 'ignore' });
  } catch {
    try {
      if (Number.isFinite(current.hard)) execFileSync('prlimit', ['--pid', String(pid), `--nofile=${current.hard}:${current.hard}`], { stdio: 'ignore' });
    } catch {
      // Left as it was; the caller reports the limit.
    }
  }
  return fdLimit(pid);
}
