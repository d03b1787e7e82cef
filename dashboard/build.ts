/**
 * Builds the dashboard into dashboard/dist when it is missing or older than its sources
 * (dashboard/ and the SDK it bundles). `npm start` and the browser tests call this, and
 * `npm run build:dashboard` forces a build. A lock directory keeps two processes from
 * building at once, and the new build replaces the old in one rename.
 */
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DASHBOARD = fileURLToPath(new URL('.', import.meta.url));
const ROOT = join(DASHBOARD, '..');
export const DIST = join(DASHBOARD, 'dist');
const STAMP = join(DIST, '.built');
const LOCK = join(DASHBOARD, '.build-lock');
const SOURCES = [join(DASHBOARD, 'index.html'), join(DASHBOARD, 'vite.config.ts'), join(DASHBOARD, 'src'), join(ROOT, 'sdk'), join(ROOT, 'package-lock.json')];
const STALE_LOCK_MS = 120_000;

function newestMtime(path: string): number {
  const info = statSync(path, { throwIfNoEntry: false });
  if (!info) return 0;
  if (!info.isDirectory()) return /\.test\.ts$/.test(path) ? 0 : info.mtimeMs;
  return Math.max(info.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Why a build is needed, or null when dist is up to date. */
export function staleReason(): string | null {
  const built = statSync(STAMP, { throwIfNoEntry: false });
  if (!built) return 'dashboard/dist is missing';
  return newestMtime(SOURCES[0]!) > built.mtimeMs || SOURCES.slice(1).some((s) => newestMtime(s) > built.mtimeMs) ? 'its sources changed' : null;
}

async function withLock<T>(task: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const held = statSync(LOCK, { throwIfNoEntry: false });
      // A builder that died leaves its lock behind.
      if (held && Date.now() - held.mtimeMs > STALE_LOCK_MS) rmSync(LOCK, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await task();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

async function build(): Promise<void> {
  const { build: viteBuild } = await import('vite');
  const staging = join(DASHBOARD, `.dist-${process.pid}`);
  const old = join(DASHBOARD, `.dist-old-${process.pid}`);
  try {
    await viteBuild({ configFile: join(DASHBOARD, 'vite.config.ts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
    writeFileSync(join(staging, '.built'), `${new Date().toISOString()}\n`);
    rmSync(old, { recursive: true, force: true });
    if (statSync(DIST, { throwIfNoEntry: false })) renameSync(DIST, old);
    renameSync(staging, DIST);
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

/** Builds when needed (or always with `force`); returns what it did, for a log line. */
export async function ensureDashboardBuilt(options: { force?: boolean } = {}): Promise<string> {
  if (!options.force && !staleReason()) return 'dashboard up to date';
  return withLock(async () => {
    // Another process may have built it while we waited for the lock.
    const reason = options.force ? 'asked to' : staleReason();
    if (!reason) return 'dashboard up to date';
    const started = Date.now();
    await build();
    return `dashboard built (${reason}) in ${((Date.now() - started) / 1000).toFixed(1)} s`;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureDashboardBuilt({ force: !process.argv.includes('--if-stale') }).then(
    (what) => console.log(what),
    (error: unknown) => {
      console.error(`dashboard build failed: ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    },
  );
}
