/**
 * What a benchmark must undo (child processes, streams, its database), run in
 * reverse order however the run ends: normally, by an error, or by Ctrl-C.
 */
export type Undo = () => Promise<void> | void;

/** How long one undo step may take before it is given up (the next still run). */
const STEP_TIMEOUT_MS = 15_000;

export class Cleanup {
  private readonly steps: Array<{ what: string; undo: Undo }> = [];
  private running: Promise<string[]> | null = null;

  /** Registers an undo step; steps run last-in, first-out. */
  defer(what: string, undo: Undo): void {
    this.steps.push({ what, undo });
  }

  /** Runs every step once (later calls share the first run) and returns the failures. */
  run(): Promise<string[]> {
    this.running ??= this.runSteps();
    return this.running;
  }

  private async runSteps(): Promise<string[]> {
    const failures: string[] = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await withTimeout(Promise.resolve(step.undo()), STEP_TIMEOUT_MS, step.what);
      } catch (error) {
        failures.push(`${step.what}: ${(error as Error).message}`);
      }
    }
    return failures;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
