/**
 * Refresh tokens: opaque, stored hashed, rotated on every use. A token presented
 * after it was rotated means it leaked: its whole family (that login's chain) is revoked.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { unauthenticated } from '../errors.ts';
import { hashSecret, newSecret } from './secrets.ts';

export interface IssueRefreshParams {
  userId: string;
  familyId?: string;
  nowMs: number;
  ttlSeconds: number;
}

export async function issueRefreshToken(db: pg.ClientBase | pg.Pool, params: IssueRefreshParams): Promise<string> {
  const token = newSecret();
  await db.query('INSERT INTO refresh_tokens (token_hash, family_id, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    hashSecret(token),
    params.familyId ?? randomUUID(),
    params.userId,
    new Date(params.nowMs),
    new Date(params.nowMs + params.ttlSeconds * 1000),
  ]);
  return token;
}

export async function revokeFamily(db: pg.ClientBase | pg.Pool, familyId: string, nowMs: number): Promise<void> {
  await db.query('UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL', [familyId, new Date(nowMs)]);
}

/** Marks the token used and returns its user and family; refuses expired, revoked or reused tokens. */
export async function consumeRefreshToken(client: pg.ClientBase, token: string, nowMs: number): Promise<{ userId: string; familyId: string }> {
  const result = await client.query<{ user_id: string; family_id: string; used_at: Date | null; revoked_at: Date | null; expires_at: Date }>(
    'SELECT user_id, family_id, used_at, revoked_at, expires_at FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE',
    [hashSecret(token)],
  );
  const row = result.rows[0];
  if (!row) throw unauthenticated('invalid refresh token');
  if (row.revoked_at) throw unauthenticated('refresh token revoked: log in again');
  if (row.used_at) {
    await revokeFamily(client, row.family_id, nowMs);
    throw unauthenticated('refresh token already used: every session from that login is revoked, log in again');
  }
  if (row.expires_at.getTime() <= nowMs) throw unauthenticated('refresh token expired: log in again');
  await client.query('UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1', [hashSecret(token), new Date(nowMs)]);
  return { userId: row.user_id, familyId: row.family_id };
}

export async function familyOf(db: pg.Pool, token: string): Promise<string | null> {
  const result = await db.query<{ family_id: string }>('SELECT family_id FROM refresh_tokens WHERE token_hash = $1', [hashSecret(token)]);
  return result.rows[0]?.family_id ?? null;
}
