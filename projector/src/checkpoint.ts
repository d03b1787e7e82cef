/** Projector checkpoints: the last stream sequence applied, advanced only forward, in the batch's transaction. */
import type pg from 'pg';

export async function ensureCheckpoint(client: pg.ClientBase, name: string): Promise<void> {
  await client.query('INSERT INTO projector_checkpoints (name, last_sequence) VALUES ($1, 0) ON CONFLICT (name) DO NOTHING', [name]);
}

/** Reads the checkpoint and locks its row until the transaction ends. */
export async function lockCheckpoint(client: pg.ClientBase, name: string): Promise<number> {
  const result = await client.query<{ last_sequence: string }>('SELECT last_sequence FROM projector_checkpoints WHERE name = $1 FOR UPDATE', [name]);
  const row = result.rows[0];
  if (!row) throw new Error(`checkpoint ${name} is missing`);
  return Number(row.last_sequence);
}

export async function readCheckpoint(client: pg.ClientBase | pg.Pool, name: string): Promise<number> {
  const result = await client.query<{ last_sequence: string }>('SELECT last_sequence FROM projector_checkpoints WHERE name = $1', [name]);
  return Number(result.rows[0]?.last_sequence ?? 0);
}

export async function advanceCheckpoint(client: pg.ClientBase, name: string, sequence: number, eventAt: string | null): Promise<void> {
  await client.query(
    'UPDATE projector_checkpoints SET last_sequence = $2, last_event_at = COALESCE($3::timestamptz, last_event_at) WHERE name = $1 AND last_sequence < $2',
    [name, sequence, eventAt],
  );
}

/** Puts the checkpoint at exactly `sequence`: only a rebuild, which replaces the tables it covers, may move it back. */
export async function setCheckpoint(client: pg.ClientBase, name: string, sequence: number): Promise<void> {
  await client.query('UPDATE projector_checkpoints SET last_sequence = $2 WHERE name = $1', [name, sequence]);
}
