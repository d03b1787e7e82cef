/** The JWT signing secret: from JWT_SECRET, or in development generated once and kept under DATA_DIR. */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../../../schema/src/config.ts';

export function resolveJwtSecret(env: { JWT_SECRET: string; NODE_ENV: string; DATA_DIR: string }): string {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  if (env.NODE_ENV === 'production') throw new ConfigError('JWT_SECRET', 'at least 32 characters (required when NODE_ENV=production)', undefined);
  const file = join(env.DATA_DIR, 'jwt-secret');
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(env.DATA_DIR, { recursive: true });
    const secret = randomBytes(48).toString('base64url');
    // 'wx': if another process wrote it first, use theirs.
    try {
      writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
      return secret;
    } catch {
      return readFileSync(file, 'utf8').trim();
    }
  }
}
