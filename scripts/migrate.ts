/**
 * `npm run migrate`: creates the database named by DATABASE_URL when it is missing and
 * applies the SQL migrations in drizzle/ that it has not had yet.
 */
import pg from 'pg';
import { commonVars, exitOnConfigError, loadConfig } from '../schema/src/config.ts';
import { createDatabaseIfMissing, migrateDatabase } from '../schema/src/database.ts';
import { redactUrl } from '../schema/src/redact.ts';
import { describeError, loadEnvFileIfPresent } from './cli.ts';

/** Where drizzle's migrator records what it applied (its defaults: schema `drizzle`, table `__drizzle_migrations`). */
async function appliedMigrations(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const table = await client.query<{ found: string | null }>(`SELECT to_regclass('drizzle.__drizzle_migrations') AS found`);
    if (!table.rows[0]?.found) return [];
    const rows = await client.query<{ name: string | null; hash: string }>('SELECT name, hash FROM drizzle.__drizzle_migrations ORDER BY id');
    return rows.rows.map((row) => row.name ?? row.hash.slice(0, 12));
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  loadEnvFileIfPresent();
  let env;
  try {
    env = loadConfig({ DATABASE_URL: commonVars.DATABASE_URL });
  } catch (error) {
    exitOnConfigError(error);
  }
  const url = env.DATABASE_URL;
  try {
    const created = await createDatabaseIfMissing(url);
    console.log(created ? `created database ${redactUrl(url)}` : `database ${redactUrl(url)} exists`);
    const before = await appliedMigrations(url);
    await migrateDatabase(url);
    const after = await appliedMigrations(url);
    const added = after.slice(before.length);
    console.log(
      added.length
        ? `applied ${added.length} migration${added.length === 1 ? '' : 's'}: ${added.join(', ')}`
        : `already up to date: ${after.length} migration${after.length === 1 ? '' : 's'} applied earlier (latest ${after.at(-1) ?? 'none'})`,
    );
  } catch (error) {
    process.stderr.write(`migration of DATABASE_URL=${redactUrl(url)} failed: ${describeError(error)}\n`);
    process.exit(1);
  }
}

await main();
