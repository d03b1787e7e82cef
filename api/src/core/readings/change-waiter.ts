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

export type ResultFinder = (db: pg.Pool, commandId: string) => Promise<ChangeResult | null>;

const POLL_MS = 250;
const RECONNECT_MS = 1000;
const MAX_RECONNECT_MS = 10_000;

export class ChangeWaiter {
  private listener: pg.Client | null = null;
  private readonly waiting = new Map<string, Set<() => void>>();
  private closed = false;
  private retry: NodeJS.Timeout | undefined;

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
      // Only a listening connection reconnects from here; one that failed to connect does so from reconnect().
      if (this.listener !== client) return;
      this.logger.warn({ err: error }, 'change listener lost its connection; reconnecting');
      this.listener = null;
      void client.end().catch(() => undefined);
      this.reconnect(RECONNECT_MS);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_APPLIED_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) return void (await client.end().catch(() => undefined));
    this.listener = client;
  }

  /** Tries to LISTEN again after `delayMs`, and keeps trying (backing off) while the database stays away. */
  private reconnect(delayMs: number): void {
    if (this.closed) return;
    this.retry = setTimeout(() => {
      this.start().catch((error: unknown) => {
        this.logger.warn({ err: error, retryInMs: delayMs * 2 }, 'change listener cannot reconnect yet');
        this.reconnect(Math.min(delayMs * 2, MAX_RECONNECT_MS));
      });
    }, delayMs);
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    await this.listener?.end().catch(() => undefined);
  }

  /**
   * Resolves with the command's result, or null if it is not applied within `timeoutMs`.
   * `find` reads the result where its projection records it (alarm commands have their own table).
   */
  async wait(commandId: string, timeoutMs: number, ready: Promise<unknown>, find: ResultFinder = findChangeResult): Promise<ChangeResult | null> {
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
        const found = await find(this.db, commandId);
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
