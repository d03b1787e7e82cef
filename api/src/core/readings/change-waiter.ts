/**
 * Read-your-writes: waits until the projector has applied a change command. The
 * projector NOTIFYs each command id at commit; one LISTEN connection per API process
 * wakes the waiters. A slow poll backs it up, so a dropped LISTEN connection only
 * makes answers slower, never wrong.
 */
import pg from 'pg';
import { CHANGE_APPLIED_CHANNEL } from '../../../../schema/src/subjects.ts';
import type { Logger } from '../../../../schema/src/log.ts';

export interface ChangeResult {
  commandId: string;
  sequence: number;
  affected: number;
}

export async function findChangeResult(db: pg.Pool, commandId: string): Promise<ChangeResult | null> {
  const result = await db.query<{ sequence: string; affected: number }>('SELECT sequence, affected FROM change_results WHERE command_id = $1', [commandId]);
  const row = result.rows[0];
  return row ? { commandId, sequence: Number(row.sequence), affected: row.affected } : null;
}

const POLL_MS = 250;

export class ChangeWaiter {
  private listener: pg.Client | null = null;
  private readonly waiting = new Map<string, Set<() => void>>();
  private closed = false;

  constructor(
    private readonly databaseUrl: string,
    private readonly db: pg.Pool,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'api-change-listener' });
    client.on('notification', (message) => {
      if (message.payload) for (const wake of this.waiting.get(message.payload) ?? []) wake();
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error }, 'change listener lost its connection; reconnecting');
      this.listener = null;
      setTimeout(() => void this.start().catch(() => undefined), 1000);
    });
    await client.connect();
    await client.query(`LISTEN ${CHANGE_APPLIED_CHANNEL}`);
    this.listener = client;
  }

  async stop(): Promise<void> {
    this.closed = true;
    await this.listener?.end().catch(() => undefined);
  }

  /** Resolves with the command's result, or null if it is not applied within `timeoutMs`. */
  async wait(commandId: string, timeoutMs: number, ready: Promise<unknown>): Promise<ChangeResult | null> {
    let wake: () => void = () => undefined;
    const woken = () => new Promise<void>((resolve) => (wake = resolve));
    const set = this.waiting.get(commandId) ?? new Set();
    const handle = () => wake();
    set.add(handle);
    this.waiting.set(commandId, set);
    const deadline = Date.now() + timeoutMs;
    try {
      await ready;
      for (;;) {
        const signal = woken();
        const found = await findChangeResult(this.db, commandId);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) return null;
        await Promise.race([signal, new Promise((r) => setTimeout(r, Math.min(POLL_MS, left)))]);
      }
    } finally {
      set.delete(handle);
      if (set.size === 0) this.waiting.delete(commandId);
    }
  }
}
