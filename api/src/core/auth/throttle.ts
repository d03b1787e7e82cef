/**
 * Login throttling per account and per client address. An attempt is counted before
 * the password is checked, atomically, so parallel attempts (aliases in one request,
 * several API instances) cannot slip past the limit; a success clears the account's count.
 */
import type pg from 'pg';
import { CoreError } from '../errors.ts';

export interface ThrottleLimits {
  perAccount: number;
  perAddress: number;
  windowSeconds: number;
}

async function countAttempt(db: pg.Pool, key: string, nowMs: number, windowSeconds: number): Promise<number> {
  const result = await db.query<{ attempts: number }>(
    `INSERT INTO login_attempts (key, attempts, window_started_at) VALUES ($1, 1, $2)
     ON CONFLICT (key) DO UPDATE SET
       attempts = CASE WHEN login_attempts.window_started_at <= $2::timestamptz - make_interval(secs => $3) THEN 1 ELSE login_attempts.attempts + 1 END,
       window_started_at = CASE WHEN login_attempts.window_started_at <= $2::timestamptz - make_interval(secs => $3) THEN $2 ELSE login_attempts.window_started_at END
     RETURNING attempts`,
    [key, new Date(nowMs), windowSeconds],
  );
  return result.rows[0]?.attempts ?? 1;
}

const tooMany = () => new CoreError('TOO_MANY_REQUESTS', 'too many login attempts; wait a few minutes and try again');

export async function admitLoginAttempt(db: pg.Pool, limits: ThrottleLimits, username: string, address: string, nowMs: number): Promise<void> {
  const perAccount = await countAttempt(db, `account:${username.toLowerCase()}`, nowMs, limits.windowSeconds);
  const perAddress = await countAttempt(db, `address:${address}`, nowMs, limits.windowSeconds);
  if (perAccount > limits.perAccount || perAddress > limits.perAddress) throw tooMany();
}

export async function clearAccountAttempts(db: pg.Pool, username: string): Promise<void> {
  await db.query('DELETE FROM login_attempts WHERE key = $1', [`account:${username.toLowerCase()}`]);
}
