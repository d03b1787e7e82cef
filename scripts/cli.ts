/** Small helpers shared by the command-line entry points in scripts/. */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Loads `.env` from the working directory when there is one. Variables already set in
 * the environment win over the file (Node's rule), so `LOG_LEVEL=debug npm start` works.
 * Returns the file's path when it was read.
 */
export function loadEnvFileIfPresent(file = resolve('.env')): string | null {
  if (!existsSync(file)) return null;
  process.loadEnvFile(file);
  return file;
}

/** One line for an error, including the parts of an AggregateError (pg and net report "localhost" failures that way). */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length) {
    return [...new Set(error.errors.map(describeError))].join('; ');
  }
  if (error instanceof Error) return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}
