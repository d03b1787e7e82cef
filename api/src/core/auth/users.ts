/** Account rows: small data-access functions over the users table. */
import type pg from 'pg';
import type { UserRole } from './roles.ts';

export interface UserRow {
  id: string;
  username: string;
  role: UserRole;
  createdAt: Date;
}

type Db = pg.ClientBase | pg.Pool;
const columns = 'id, username, role, created_at AS "createdAt"';

export async function findUserById(db: Db, id: string): Promise<UserRow | null> {
  const result = await db.query<UserRow>(`SELECT ${columns} FROM users WHERE id = $1`, [id]);
  return result.rows[0] ?? null;
}

export async function findUserForLogin(db: Db, username: string): Promise<(UserRow & { passwordHash: string }) | null> {
  const result = await db.query<UserRow & { passwordHash: string }>(
    `SELECT ${columns}, password_hash AS "passwordHash" FROM users WHERE lower(username) = lower($1)`,
    [username],
  );
  return result.rows[0] ?? null;
}

export async function countUsers(db: Db): Promise<number> {
  const result = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
  return result.rows[0]?.n ?? 0;
}

export interface InsertUserParams {
  username: string;
  passwordHash: string;
  role: UserRole;
}

/** Inserts a user, or returns null when the name is taken (case-insensitively). */
export async function insertUser(db: Db, params: InsertUserParams): Promise<UserRow | null> {
  const result = await db.query<UserRow>(
    `INSERT INTO users (username, password_hash, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING ${columns}`,
    [params.username, params.passwordHash, params.role],
  );
  return result.rows[0] ?? null;
}

export async function updateUserRole(db: Db, id: string, role: UserRole): Promise<UserRow | null> {
  const result = await db.query<UserRow>(`UPDATE users SET role = $2, updated_at = now() WHERE id = $1 RETURNING ${columns}`, [id, role]);
  return result.rows[0] ?? null;
}

export async function listUsers(db: Db): Promise<UserRow[]> {
  const result = await db.query<UserRow>(`SELECT ${columns} FROM users ORDER BY lower(username)`);
  return result.rows;
}
