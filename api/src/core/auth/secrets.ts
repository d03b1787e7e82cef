/** High-entropy secrets (refresh tokens, API keys): random, and stored only as SHA-256 hashes. */
import { createHash, randomBytes } from 'node:crypto';

export const newSecret = () => randomBytes(32).toString('base64url');
export const hashSecret = (secret: string) => createHash('sha256').update(secret).digest('hex');
