/**
 * A throwaway PostgreSQL cluster on a free port, for fault injection: crash it
 * (`pg_ctl -m immediate stop`), restart it on the same port and data directory, or kill
 * every client connection with pg_terminate_backend. initdb refuses to run as root, so
 * the cluster belongs to the `postgres` user when the tests run as root.
 */
import { execFile } from 'node:child_process';
import { chownSync, chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '../../support/processes.ts';

const run = promisify(execFile);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as the `postgres` user when we are root. */
async function pgCommand(binary: string, args: string[]): Promise<string> {
  const file = join(PG_BIN, binary);
  const { stdout } = asRoot ? await run('runuser', ['-u', 'postgres', '--', file, ...args]) : await run(file, args);
  return stdout;
}

export class PrivatePostgres {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get dataDir(): string {
    return join(this.dir, 'data');
  }

  /** A URL for database `database` on this cluster. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  static async start(): Promise<PrivatePostgres> {
    const dir = mkdtempSync(join(tmpdir(), 'fault-pg-'));
    const server = new PrivatePostgres(dir, await freePort());
    mkdirSync(server.dataDir);
    chmodSync(dir, 0o755);
    chmodSync(server.dataDir, 0o700);
    if (asRoot) {
      const { stdout } = await run('id', ['-u', 'postgres']);
      const uid = Number(stdout.trim());
      chownSync(dir, uid, uid);
      chownSync(server.dataDir, uid, uid);
    }
    await pgCommand('initdb', ['-D', server.dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync']);
    await server.restart();
    return server;
  }

  /** Starts the cluster (again) on its port; resolves once it accepts connections. */
  async restart(): Promise<void> {
    // fsync off: a crash of the server process (not of the machine) loses nothing committed.
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
    await pgCommand('pg_ctl', ['-D', this.dataDir, '-l', join(this.dir, 'log'), '-o', options, '-w', '-t', '60', 'start']);
  }

  /** Stops it like a crash (`immediate`: no checkpoint, clients cut off at once) or in order (`fast`). */
  async stop(mode: 'immediate' | 'fast' = 'immediate'): Promise<void> {
    await pgCommand('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']).catch((error: unknown) => {
      if (!String((error as { stderr?: string }).stderr).includes('Is server running?')) throw error;
    });
  }

  /** Ends every other client's connection to `database` with pg_terminate_backend; returns how many. */
  async terminateConnections(database: string): Promise<number> {
    const client = new pg.Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      const result = await client.query<{ ok: boolean }>(
        'SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      );
      return result.rows.filter((r) => r.ok).length;
    } finally {
      await client.end();
    }
  }

  async destroy(): Promise<void> {
    await this.stop('immediate').catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
