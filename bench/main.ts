/**
 * `npm run bench -- <name|all> [--quick] [--duration S] [flags]`: runs benchmarks,
 * prints their figures, and rewrites their sections of BENCHMARKS.md.
 * A benchmark is a module `bench/<name>.ts` exporting a `Benchmark`, listed below.
 */
import { join } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ingest } from './ingest.ts';
import { latency } from './latency.ts';
import { query } from './query.ts';
import { rebuild } from './rebuild.ts';
import { stats } from './stats.ts';
import { subscriptions } from './subscriptions.ts';
import { ROOT } from './support/children.ts';
import { Cleanup } from './support/cleanup.ts';
import { goalsMarkdown, goalsText, type Goal } from './support/goals.ts';
import type { Benchmark, CommonOptions } from './support/harness.ts';
import { writeSection } from './support/report-file.ts';

const BENCHMARKS: readonly Benchmark[] = [ingest, latency, query, subscriptions, stats, rebuild];

const COMMON_FLAGS: NonNullable<ParseArgsConfig['options']> = {
  quick: { type: 'boolean' },
  duration: { type: 'string' },
  'no-write': { type: 'boolean' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
};

function usage(): string {
  return [
    `Usage: npm run bench -- <${[...BENCHMARKS.map((b) => b.name), 'all'].join('|')}> [options]`,
    '',
    '  --quick          a few seconds per phase and small figures: checks the benchmark works',
    '  --duration <s>   length of the main timed phase',
    '  --no-write       print only; leave BENCHMARKS.md alone',
    '  --out <file>     write the sections to this file instead of BENCHMARKS.md',
    ...BENCHMARKS.flatMap((b) => ['', `${b.name}:`, ...b.usage.map((u) => `  ${u}`)]),
    '',
  ].join('\n');
}

const progress = (line: string) => process.stderr.write(`[bench] ${line}\n`);

let current: Cleanup | null = null;
let interrupted = false;

function onSignal(signal: NodeJS.Signals): void {
  if (interrupted) {
    progress(`${signal} again: exiting without finishing the cleanup (look for sensors_bench_* databases and BENCH_* streams)`);
    process.exit(130);
  }
  interrupted = true;
  progress(`${signal}: stopping and cleaning up…`);
  void (current?.run() ?? Promise.resolve([])).then((failures) => {
    for (const failure of failures) progress(`cleanup failed: ${failure}`);
    process.exit(130);
  });
}

async function main(): Promise<number> {
  const allFlags: NonNullable<ParseArgsConfig['options']> = Object.assign({}, COMMON_FLAGS, ...BENCHMARKS.map((b) => b.flags));
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    // No flag is declared `multiple`, so every value is a string or a boolean.
    ({ values, positionals } = parseArgs({ args: process.argv.slice(2), options: allFlags, allowPositionals: true, strict: true }) as {
      values: Record<string, string | boolean | undefined>;
      positionals: string[];
    });
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage()}`);
    return 64;
  }
  if (values.help || positionals.length !== 1) {
    process.stderr.write(usage());
    return values.help ? 0 : 64;
  }
  const which = positionals[0];
  const selected = which === 'all' ? BENCHMARKS : BENCHMARKS.filter((b) => b.name === which);
  if (selected.length === 0) {
    process.stderr.write(`no benchmark named ${JSON.stringify(which)}\n\n${usage()}`);
    return 64;
  }
  const duration = typeof values.duration === 'string' ? Number(values.duration) : undefined;
  if (duration !== undefined && !(Number.isInteger(duration) && duration >= 1)) {
    process.stderr.write(`--duration must be a whole number of seconds ≥ 1, got ${JSON.stringify(values.duration)}\n`);
    return 64;
  }
  const common: CommonOptions = { quick: values.quick === true, durationS: duration };
  const out = typeof values.out === 'string' ? values.out : join(ROOT, 'BENCHMARKS.md');

  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let status = 0;
  const goals: Goal[] = [];
  const startedAt = new Date();
  for (const benchmark of selected) {
    const cleanup = new Cleanup();
    current = cleanup;
    progress(`${benchmark.name}: starting${common.quick ? ' (quick)' : ''}`);
    try {
      const result = await benchmark.run(common, values, { cleanup, progress: (line) => progress(`${benchmark.name}: ${line}`) });
      process.stdout.write(`${result.text}\n`);
      goals.push(...(result.goals ?? []));
      if (values['no-write'] !== true) {
        writeSection(out, benchmark.name, benchmark.title, result.markdown);
        progress(`${benchmark.name}: section written to ${out}`);
      }
    } catch (error) {
      if (interrupted) break;
      progress(`${benchmark.name} failed: ${(error as Error).stack ?? String(error)}`);
      status = 1;
    } finally {
      if (!interrupted) {
        const failures = await cleanup.run();
        for (const failure of failures) progress(`cleanup failed: ${failure}`);
        if (failures.length) status = 1;
      }
    }
    if (interrupted) break;
  }
  if (goals.length > 0) process.stdout.write(`\nProduct goals (issue #8):\n${goalsText(goals)}\n`);
  // The goal table sums up one whole run: only \`all\` rewrites it, and only when every benchmark finished.
  if (which === 'all' && status === 0 && !interrupted && values['no-write'] !== true) {
    const runLine = `${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run bench -- all${common.quick ? ' --quick' : ''}\``;
    writeSection(out, 'goals', 'Product goals at a glance', goalsMarkdown(goals, runLine));
    progress(`goal table written to ${out}`);
  }
  return status;
}

main().then(
  (status) => {
    if (!interrupted) process.exit(status);
  },
  (error: unknown) => {
    progress(`failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
