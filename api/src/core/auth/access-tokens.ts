/**
 * Short-lived access tokens: JWTs signed and verified with jose. Verification pins the
 * algorithm, issuer, audience and `typ`, and requires an expiry, so `alg: none`, other
 * keys, other audiences and refresh tokens posing as access tokens are all refused.
 */
import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { unauthenticated } from '../errors.ts';
import type { KeyRole } from './roles.ts';

export const ACCESS_TOKEN_TYPE = 'at+jwt';
const ALGORITHM = 'HS256';
const USER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AccessTokenSettings {
  secret: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessClaims {
  userId: string;
  role: KeyRole;
}

export class AccessTokens {
  private readonly key: Uint8Array;

  constructor(private readonly settings: AccessTokenSettings) {
    this.key = new TextEncoder().encode(settings.secret);
  }

  async sign(claims: AccessClaims, nowMs: number): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(nowMs / 1000);
    const expiresAt = issuedAt + this.settings.ttlSeconds;
    const token = await new SignJWT({ role: claims.role })
      .setProtectedHeader({ alg: ALGORITHM, typ: ACCESS_TOKEN_TYPE })
      .setSubject(claims.userId)
      .setIssuer(this.settings.issuer)
      .setAudience(this.settings.audience)
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .setJti(randomUUID())
      .sign(this.key);
    return { token, expiresAt: new Date(expiresAt * 1000) };
  }

  async verify(token: string): Promise<AccessClaims & { expiresAt: Date }> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        typ: ACCESS_TOKEN_TYPE,
        requiredClaims: ['sub', 'exp', 'iat'],
      });
      if (typeof payload.sub !== 'string' || !USER_ID.test(payload.sub) || typeof payload.role !== 'string' || typeof payload.exp !== 'number') throw new Error('claims');
      return { userId: payload.sub, role: payload.role as KeyRole, expiresAt: new Date(payload.exp * 1000) };
    } catch (error) {
      const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
      throw unauthenticated(expired ? 'access token expired: refresh it or log in again' : 'invalid access token');
    }
  }
}
