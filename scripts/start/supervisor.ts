/**
 * Runs the launcher's child processes: prefixes their output, restarts one that dies
 * with a growing delay, and stops them all (SIGTERM, then SIGKILL after a grace period).
 *
 * Children run in their own process group, so a Ctrl-C in the terminal reaches only the
 * launcher, which then stops them in order: a child signalled twice (by the terminal and
 * by us) would take it as "force" and skip its graceful shutdown.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Colour, Output } from './output.ts';

export interface ChildSpec {
  name: string;
  colour: Colour;
  command: string;
  args: string[];
  cwd: string;
  /** Variables for this child on top of the launcher's environment (e.g. its metrics port). */
  env?: Record<string, string>;
}

/** Exit codes that mean "fix your settings", not "try again": EX_USAGE, EX_CONFIG. */
const NOT_RETRYABLE = new Map([
  [64, 'a usage error'],
  [78, 'a configuration error'],
]);
const FIRST_RESTART_DELAY_MS = 1000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A child that ran this long before dying starts again from the first delay. */
const STABLE_AFTER_MS = 60_000;

interface Running {
  spec: ChildSpec;
  child: ChildProcess | null;
  exited: Promise<void>;
  startedAt: number;
  delayMs: number;
  restartTimer: NodeJS.Timeout | null;
}

export class Supervisor {
  private readonly children = new Map<string, Running>();
  private stopping = false;

  constructor(private readonly output: Output) {}

  /** Runs `spec` and keeps it running; does nothing once stopping has begun. */
  start(spec: ChildSpec): void {
    if (this.stopping) return;
    const entry: Running = { spec, child: null, exited: Promise.resolve(), startedAt: 0, delayMs: FIRST_RESTART_DELAY_MS, restartTimer: null };
    this.children.set(spec.name, entry);
    this.launch(entry);
  }

  /** Process ids of the children running now, by name. */
  pids(): Map<string, number> {
    const pids = new Map<string, number>();
    for (const [name, entry] of this.children) if (entry.child?.pid) pids.set(name, entry.child.pid);
    return pids;
  }

  /** SIGTERM to every child, SIGKILL to those still running after `graceMs`; resolves when all have exited. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    const entries = [...this.children.values()];
    for (const entry of entries) {
      if (entry.restartTimer) clearTimeout(entry.restartTimer);
      if (isRunning(entry.child)) entry.child.kill('SIGTERM');
    }
    const allExited = Promise.all(entries.map((entry) => entry.exited));
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      allExited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), graceMs))),
    ]);
    clearTimeout(timer);
    if (late) {
      const names = entries.filter((entry) => isRunning(entry.child)).map((entry) => entry.spec.name);
      this.output.say(`still running after ${graceMs / 1000} s, killing: ${names.join(', ')}`);
      this.kill();
      await allExited;
    }
  }

  /** SIGKILL to every child and whatever it started (its process group): the second Ctrl-C. */
  kill(): void {
    this.stopping = true;
    for (const entry of this.children.values()) {
      if (entry.restartTimer) clearTimeout(entry.restartTimer);
      const pid = entry.child?.pid;
      if (pid && isRunning(entry.child)) killGroup(pid);
    }
  }

  private launch(entry: Running): void {
    const { spec } = entry;
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: { ...process.env, ...spec.env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    entry.child = child;
    entry.startedAt = Date.now();
    for (const stream of ['stdout', 'stderr'] as const) {
      createInterface({ input: child[stream], crlfDelay: Infinity }).on('line', (line) => this.output.child(spec.name, spec.colour, line, stream));
    }
    entry.exited = new Promise((resolve) => {
      child.once('error', (error) => {
        // A process that never started emits no 'exit'.
        if (child.pid !== undefined) return;
        this.exited(entry, `could not be started (${error.message})`, null);
        resolve();
      });
      child.once('exit', (code, signal) => {
        this.exited(entry, signal ? `was killed by ${signal}` : `exited with code ${code}`, code);
        resolve();
      });
    });
  }

  private exited(entry: Running, how: string, code: number | null): void {
    const { spec } = entry;
    if (this.stopping) return;
    const reason = code === null ? undefined : NOT_RETRYABLE.get(code);
    if (reason) {
      this.output.say(`${spec.name} ${how} (${reason}); not restarting it — fix the setting it names above`);
      return;
    }
    if (Date.now() - entry.startedAt >= STABLE_AFTER_MS) entry.delayMs = FIRST_RESTART_DELAY_MS;
    const delayMs = entry.delayMs;
    entry.delayMs = Math.min(delayMs * 2, MAX_RESTART_DELAY_MS);
    this.output.say(`${spec.name} ${how} unexpectedly; restarting it in ${delayMs / 1000} s`);
    entry.restartTimer = setTimeout(() => {
      entry.restartTimer = null;
      if (!this.stopping) this.launch(entry);
    }, delayMs);
  }
}

function isRunning(child: ChildProcess | null): child is ChildProcess {
  return child !== null && child.exitCode === null && child.signalCode === null && child.pid !== undefined;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // The group is gone already.
  }
}
