/** API keys: `sk_<id>_<secret>`, shown once; the secret is stored as a hash. */
import { timingSafeEqual } from 'node:crypto';
import type pg from 'pg';
import { unauthenticated } from '../errors.ts';
import type { KeyRole, UserRole } from './roles.ts';
import { hashSecret, newSecret } from './secrets.ts';

export const API_KEY_PREFIX = 'sk_';
const KEY_PATTERN = /^sk_([0-9a-f-]{36})_([A-Za-z0-9_-]{43})$/;

export interface ApiKeyRow {
  id: string;
  name: string;
  role: KeyRole;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const columns = 'id, name, role, user_id AS "userId", created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"';

export async function insertApiKey(db: pg.Pool, params: { name: string; role: KeyRole; userId: string }): Promise<{ key: string; row: ApiKeyRow }> {
  const secret = newSecret();
  const result = await db.query<ApiKeyRow>(`INSERT INTO api_keys (name, secret_hash, role, user_id) VALUES ($1, $2, $3, $4) RETURNING ${columns}`, [
    params.name,
    hashSecret(secret),
    params.role,
    params.userId,
  ]);
  const row = result.rows[0]!;
  return { key: `${API_KEY_PREFIX}${row.id}_${secret}`, row };
}

export async function revokeApiKey(db: pg.Pool, params: { id: string; userId: string | null }): Promise<ApiKeyRow | null> {
  const result = await db.query<ApiKeyRow>(
    `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 AND ($2::uuid IS NULL OR user_id = $2) RETURNING ${columns}`,
    [params.id, params.userId],
  );
  return result.rows[0] ?? null;
}

export async function listApiKeys(db: pg.Pool, userId: string): Promise<ApiKeyRow[]> {
  const result = await db.query<ApiKeyRow>(`SELECT ${columns} FROM api_keys WHERE user_id = $1 ORDER BY created_at`, [userId]);
  return result.rows;
}

/** Resolves a presented key to its owner and the role it grants now. */
export async function verifyApiKey(db: pg.Pool, key: string): Promise<{ userId: string; username: string; keyRole: KeyRole; ownerRole: UserRole }> {
  const match = KEY_PATTERN.exec(key);
  if (!match) throw unauthenticated('invalid API key');
  const [, id, secret] = match as unknown as [string, string, string];
  const result = await db.query<{ secret_hash: string; role: KeyRole; revoked_at: Date | null; user_id: string; username: string; owner_role: UserRole }>(
    `SELECT k.secret_hash, k.role, k.revoked_at, k.user_id, u.username, u.role AS owner_role
     FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.id = $1`,
    [id],
  );
  const row = result.rows[0];
  const presented = Buffer.from(hashSecret(secret), 'hex');
  if (!row || !timingSafeEqual(presented, Buffer.from(row.secret_hash, 'hex'))) throw unauthenticated('invalid API key');
  if (row.revoked_at) throw unauthenticated('API key revoked');
  return { userId: row.user_id, username: row.username, keyRole: row.role, ownerRole: row.owner_role };
}
