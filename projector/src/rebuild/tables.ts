/**
 * DDL for a rebuild: fresh copies of the read-model tables with the live tables'
 * columns and indexes, and the swap that puts them in place of the live ones.
 */
import type pg from 'pg';
import { LIVE_TABLES, REBUILD_SUFFIX, tableList } from '../readings/tables.ts';

interface IndexInfo {
  name: string;
  definition: string;
  primary: boolean;
}

const rebuildName = (name: string) => `${name}${REBUILD_SUFFIX}`.slice(0, 63);

async function indexesOf(client: pg.ClientBase, table: string): Promise<IndexInfo[]> {
  const result = await client.query<{ name: string; definition: string; primary: boolean }>(
    `SELECT c.relname AS name, pg_get_indexdef(i.indexrelid) AS definition, i.indisprimary AS primary
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = $1::regclass ORDER BY c.relname`,
    [table],
  );
  return result.rows;
}

/** Views that read a table, with their definitions, so they can be re-pointed after a swap. */
async function viewsOf(client: pg.ClientBase, table: string): Promise<{ name: string; definition: string }[]> {
  const result = await client.query<{ name: string; definition: string }>(
    `SELECT DISTINCT v.relname AS name, pg_get_viewdef(v.oid) AS definition
     FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid JOIN pg_class v ON v.oid = r.ev_class
     WHERE d.refobjid = $1::regclass AND v.relkind = 'v' ORDER BY v.relname`,
    [table],
  );
  return result.rows;
}

/** Creates empty rebuild tables shaped like the live ones, indexes included. */
export async function createRebuildTables(client: pg.ClientBase, live: string[] = tableList(LIVE_TABLES)): Promise<void> {
  for (const table of live) {
    const target = rebuildName(table);
    await client.query(`DROP TABLE IF EXISTS ${target}`);
    await client.query(`CREATE TABLE ${target} (LIKE ${table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`);
    for (const index of await indexesOf(client, table)) {
      const name = rebuildName(index.name);
      const definition = index.definition
        .replace(` INDEX ${index.name} ON `, ` INDEX ${name} ON `)
        .replace(new RegExp(` ON (public\\.)?${table} `), ` ON ${target} `);
      await client.query(definition);
      if (index.primary) await client.query(`ALTER TABLE ${target} ADD CONSTRAINT ${name} PRIMARY KEY USING INDEX ${name}`);
    }
  }
}

export async function dropRebuildTables(client: pg.ClientBase, live: string[] = tableList(LIVE_TABLES)): Promise<void> {
  for (const table of live) await client.query(`DROP TABLE IF EXISTS ${rebuildName(table)}`);
}

/**
 * Puts the rebuild tables in place of the live ones, inside the caller's transaction
 * (which must hold the locks). Views are re-created on the new tables; index and
 * constraint names return to the live names, so later migrations find what they expect.
 */
export async function swapInRebuildTables(client: pg.ClientBase, live: string[] = tableList(LIVE_TABLES)): Promise<void> {
  for (const table of live) {
    const views = await viewsOf(client, table);
    const indexes = await indexesOf(client, table);
    for (const view of views) await client.query(`DROP VIEW ${view.name}`);
    await client.query(`DROP TABLE ${table}`);
    await client.query(`ALTER TABLE ${rebuildName(table)} RENAME TO ${table}`);
    for (const index of indexes) await client.query(`ALTER INDEX ${rebuildName(index.name)} RENAME TO ${index.name}`);
    for (const view of views) await client.query(`CREATE VIEW ${view.name} AS ${view.definition}`);
  }
}
