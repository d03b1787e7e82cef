/** The launcher's Postgres: is it there, and how many readings have arrived (so a new user sees data flowing). */
import pg from 'pg';
import { redactUrl } from '../../schema/src/redact.ts';
import { describeError } from '../cli.ts';

export const HOW_TO_GET_POSTGRES = [
  'Start PostgreSQL 15 and point DATABASE_URL at it (the database itself is created if missing):',
  '  Debian/Ubuntu:  sudo pg_ctlcluster 15 main start   (install: sudo apt install postgresql)',
  '  macOS:          brew services start postgresql@15',
  '  Docker:         docker compose up -d postgres   (then DATABASE_URL=postgres://postgres:postgres@127.0.0.1:5432/sensors)',
].join('\n');

/** Null when the server named by `url` accepts a connection (to its `postgres` database: ours may not exist yet), else why not. */
export async function postgresUnreachable(url: string, timeoutMs = 5000): Promise<string | null> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return null;
  } catch (error) {
    return describeError(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ReadingsReportSchedule {
  /** Counts every `fastEveryMs` for the first `fastForMs`, then every `slowEveryMs`. */
  fastEveryMs: number;
  fastForMs: number;
  slowEveryMs: number;
}

export const DEFAULT_REPORT_SCHEDULE: ReadingsReportSchedule = { fastEveryMs: 5000, fastForMs: 30_000, slowEveryMs: 60_000 };

/** `temperature 120, humidity 118, pressure 121`: the launched types first, in order, then any others. */
export function formatCounts(counts: ReadonlyMap<string, number>, types: readonly string[]): string {
  const order = [...types, ...[...counts.keys()].filter((type) => !types.includes(type)).sort()];
  return order.map((type) => `${type} ${counts.get(type) ?? 0}`).join(', ');
}

/** Prints the readings per sensor type in Postgres on a schedule; quiet after a failure until the next success. */
export function reportReadings(url: string, types: readonly string[], say: (line: string) => void, schedule = DEFAULT_REPORT_SCHEDULE): { stop(): Promise<void> } {
  const pool = new pg.Pool({ connectionString: url, max: 1, application_name: 'npm-start-progress' });
  pool.on('error', () => undefined); // an idle connection dropped: the next query reconnects
  const startedAt = Date.now();
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  let stopped = false;

  async function tick(): Promise<void> {
    try {
      const result = await pool.query<{ sensor_type: string; n: string }>('SELECT sensor_type, count(*) AS n FROM readings GROUP BY 1');
      const counts = new Map(result.rows.map((row) => [row.sensor_type, Number(row.n)]));
      if (stopped) return;
      say(`readings in Postgres: ${formatCounts(counts, types)}`);
      failing = false;
    } catch (error) {
      if (!failing) say(`could not count readings in ${redactUrl(url)}: ${describeError(error)}`);
      failing = true;
    }
    if (stopped) return;
    const every = Date.now() - startedAt < schedule.fastForMs ? schedule.fastEveryMs : schedule.slowEveryMs;
    timer = setTimeout(() => void tick(), every);
  }

  timer = setTimeout(() => void tick(), schedule.fastEveryMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await pool.end().catch(() => undefined);
    },
  };
}
