/** What every benchmark provides to `bench/main.ts`, and what it gets from it. */
import type { ParseArgsConfig } from 'node:util';
import type { Cleanup } from './cleanup.ts';
import type { Goal } from './goals.ts';

export interface CommonOptions {
  /** Small figures, a few seconds per phase: checks that the benchmark works, not how fast. */
  quick: boolean;
  /** Overrides the length of the benchmark's main timed phase, in seconds. */
  durationS: number | undefined;
}

export interface BenchContext {
  /** Undone in reverse order when the benchmark ends, fails or is interrupted. */
  cleanup: Cleanup;
  /** One line of progress (stderr). */
  progress(line: string): void;
}

export interface BenchReport {
  /** Plain-text results for stdout. */
  text: string;
  /** The benchmark's section of BENCHMARKS.md (between its markers). */
  markdown: string;
  /** Its rows of issue #8's goal table, if it measures any. */
  goals?: Goal[];
}

export interface Benchmark<Flags = Record<string, string | boolean | undefined>> {
  name: string;
  title: string;
  /** Flags of its own, in node:util parseArgs form; the parsed values are passed to `run`. */
  flags: NonNullable<ParseArgsConfig['options']>;
  /** Usage lines for those flags. */
  usage: string[];
  run(options: CommonOptions, flags: Flags, context: BenchContext): Promise<BenchReport>;
}
