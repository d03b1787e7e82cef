/** `npm run migrate` as a real process against the shared Postgres, in a database of its own. */
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase, MIGRATIONS_FOLDER } from '../schema/src/database.ts';
import { SHARED_DATABASE_URL } from '../test/support/env.ts';
import { startService } from '../test/support/processes.ts';

/** drizzle-kit writes one folder per migration, named so that they sort in order. */
const migrations = readdirSync(MIGRATIONS_FOLDER, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const plural = migrations.length === 1 ? '' : 's';

async function migrate(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const run = startService('scripts/migrate.ts', env);
  const code = await run.exited;
  return { code, output: run.output() };
}

describe('npm run migrate (scripts/migrate.ts)', () => {
  const url = new URL(SHARED_DATABASE_URL);
  url.pathname = `/sensors_migrate_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const databaseUrl = url.toString();
  afterAll(() => dropDatabase(databaseUrl));

  it('creates a missing database, applies the migrations, and says so; a second run has nothing to do', async () => {
    const first = await migrate({ DATABASE_URL: databaseUrl });
    expect(first.code).toBe(0);
    expect(first.output).toContain(`created database ${databaseUrl}`);
    expect(first.output).toContain(`applied ${migrations.length} migration${plural}: ${migrations.join(', ')}`);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const relations = await client.query<{ name: string }>(
      "SELECT to_regclass(n)::text AS name FROM unnest(ARRAY['readings', 'active_readings', 'deleted_readings', 'projector_checkpoints']) AS n",
    );
    await client.end();
    expect(relations.rows.map((row) => row.name)).toEqual(['readings', 'active_readings', 'deleted_readings', 'projector_checkpoints']);

    const second = await migrate({ DATABASE_URL: databaseUrl });
    expect(second.code).toBe(0);
    expect(second.output).toContain(`database ${databaseUrl} exists`);
    expect(second.output).toContain(`already up to date: ${migrations.length} migration${plural} applied earlier (latest ${migrations.at(-1)})`);
  });

  it('refuses a malformed DATABASE_URL, naming the variable', async () => {
    const run = await migrate({ DATABASE_URL: 'mysql://somewhere/sensors' });
    expect(run.code).toBe(78);
    expect(run.output).toContain('Invalid environment variable DATABASE_URL: expected a postgres:// URL, got "mysql://somewhere/sensors"');
  });
});
