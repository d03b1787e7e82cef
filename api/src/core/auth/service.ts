/**
 * Accounts and credentials, transport-free: GraphQL, REST and the CLI call these.
 * Time comes from the injected clock.
 */
import type pg from 'pg';
import type { Logger } from '../../../../schema/src/log.ts';
import { badInput, forbidden, notFound, unauthenticated } from '../errors.ts';
import { AccessTokens, type AccessTokenSettings } from './access-tokens.ts';
import { API_KEY_PREFIX, insertApiKey, listApiKeys, revokeApiKey, verifyApiKey, type ApiKeyRow } from './api-keys.ts';
import { Passwords, type PasswordCost } from './passwords.ts';
import { consumeRefreshToken, familyOf, issueRefreshToken, revokeFamily } from './refresh-tokens.ts';
import { USER_ROLES, USERNAME_PATTERN, type KeyRole, type Principal, type UserRole } from './roles.ts';
import { admitLoginAttempt, clearAccountAttempts, type ThrottleLimits } from './throttle.ts';
import { countUsers, findUserById, findUserForLogin, insertUser, listUsers, updateUserRole, type UserRow } from './users.ts';

export interface AuthSettings {
  tokens: AccessTokenSettings;
  refreshTtlSeconds: number;
  passwordCost: PasswordCost;
  throttle: ThrottleLimits;
}

export interface AuthPayload {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  user: UserRow;
}

export interface Authenticated {
  principal: Principal;
  /** When the credential stops being valid (access tokens); null for API keys. */
  expiresAt: Date | null;
}

/** Users are looked up on every request (so a demotion takes effect at once); a short cache keeps that cheap. */
const USER_CACHE_MS = 2000;

export class AuthService {
  private readonly tokens: AccessTokens;
  private readonly passwords: Passwords;
  private readonly userCache = new Map<string, { user: UserRow | null; until: number }>();

  constructor(
    private readonly db: pg.Pool,
    private readonly settings: AuthSettings,
    private readonly clock: () => number,
    private readonly logger: Logger,
  ) {
    this.tokens = new AccessTokens(settings.tokens);
    this.passwords = new Passwords(settings.passwordCost);
  }

  private validateCredentials(username: string, password: string): void {
    if (!USERNAME_PATTERN.test(username)) throw badInput('username must be 3–50 characters of letters, digits, _ . or -', 'username');
    if (password.length < 8 || password.length > 128) throw badInput('password must be 8–128 characters', 'password');
  }

  private async issue(user: UserRow, familyId?: string, client: pg.ClientBase | pg.Pool = this.db): Promise<AuthPayload> {
    const now = this.clock();
    const access = await this.tokens.sign({ userId: user.id, role: user.role }, now);
    const refreshToken = await issueRefreshToken(client, { userId: user.id, familyId, nowMs: now, ttlSeconds: this.settings.refreshTtlSeconds });
    return { accessToken: access.token, refreshToken, expiresAt: access.expiresAt, user };
  }

  /**
   * The first account ever registered becomes admin; after that self-registration
   * gives `user`, and only an admin may grant `admin`.
   */
  async register(caller: Principal | null, input: { username: string; password: string; role?: UserRole | null }): Promise<AuthPayload> {
    this.validateCredentials(input.username, input.password);
    const passwordHash = await this.passwords.hash(input.password);
    const client = await this.db.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtext('users:register'))");
      const first = (await countUsers(client)) === 0;
      if (input.role === 'admin' && !first && caller?.role !== 'admin') throw forbidden('only an admin may grant the admin role');
      const role: UserRole = first ? 'admin' : (input.role ?? 'user');
      const user = await insertUser(client, { username: input.username, passwordHash, role });
      if (!user) throw badInput(`username ${input.username} is already taken`, 'username');
      const payload = await this.issue(user, undefined, client);
      await client.query('COMMIT');
      this.logger.info({ userId: user.id, username: user.username, role }, 'user registered');
      return payload;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  /** Creates the bootstrap admin from ADMIN_USERNAME/ADMIN_PASSWORD when no user exists yet. */
  async ensureBootstrapAdmin(username: string, password: string): Promise<boolean> {
    if (!username || !password) return false;
    if ((await countUsers(this.db)) > 0) return false;
    try {
      await this.register(null, { username, password, role: 'admin' });
      return true;
    } catch (error) {
      // Another instance created it (or some user) first.
      if ((error as { code?: string }).code === 'BAD_USER_INPUT') return false;
      throw error;
    }
  }

  async login(input: { username: string; password: string }, address: string): Promise<AuthPayload> {
    await admitLoginAttempt(this.db, this.settings.throttle, input.username, address, this.clock());
    const user = await findUserForLogin(this.db, input.username);
    const ok = await this.passwords.verify(user?.passwordHash ?? null, input.password);
    // One answer for an unknown user and a wrong password.
    if (!user || !ok) throw unauthenticated('invalid username or password');
    await clearAccountAttempts(this.db, input.username);
    const { passwordHash: _hash, ...row } = user;
    return this.issue(row);
  }

  async refresh(refreshToken: string): Promise<AuthPayload> {
    const client = await this.db.connect();
    try {
      await client.query('BEGIN');
      const { userId, familyId } = await consumeRefreshToken(client, refreshToken, this.clock());
      const user = await findUserById(client, userId);
      if (!user) throw unauthenticated('account no longer exists');
      const payload = await this.issue(user, familyId, client);
      await client.query('COMMIT');
      return payload;
    } catch (error) {
      // A reuse revokes the family; keep that even though the call fails.
      const reused = (error as Error).message.startsWith('refresh token already used');
      await client.query(reused ? 'COMMIT' : 'ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  /** Ends the session of a refresh token (its whole family). */
  async logout(caller: Principal, refreshToken: string): Promise<boolean> {
    const family = await familyOf(this.db, refreshToken);
    if (!family) return false;
    const owner = await this.db.query<{ user_id: string }>('SELECT user_id FROM refresh_tokens WHERE family_id = $1 LIMIT 1', [family]);
    if (owner.rows[0]?.user_id !== caller.userId) return false;
    await revokeFamily(this.db, family, this.clock());
    return true;
  }

  private async cachedUser(id: string): Promise<UserRow | null> {
    const now = this.clock();
    const hit = this.userCache.get(id);
    if (hit && hit.until > now) return hit.user;
    const user = await findUserById(this.db, id);
    if (this.userCache.size > 10_000) this.userCache.clear();
    this.userCache.set(id, { user, until: now + USER_CACHE_MS });
    return user;
  }

  /** Resolves an Authorization header value; null for none. Throws UNAUTHENTICATED for a bad one. */
  async authenticate(authorization: string | null | undefined): Promise<Authenticated | null> {
    if (!authorization) return null;
    const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw unauthenticated('malformed Authorization header: expected "Bearer <token>"');
    const credential = match[1]!;
    if (credential.startsWith(API_KEY_PREFIX)) {
      const key = await verifyApiKey(this.db, credential);
      // A key never grants more than its owner has now: an admin key of a demoted admin acts as a user.
      const role: KeyRole = key.keyRole === 'admin' && key.ownerRole !== 'admin' ? 'user' : key.keyRole;
      return { principal: { userId: key.userId, username: key.username, role, via: 'apiKey' }, expiresAt: null };
    }
    const claims = await this.tokens.verify(credential);
    const user = await this.cachedUser(claims.userId);
    if (!user) throw unauthenticated('account no longer exists');
    return { principal: { userId: user.id, username: user.username, role: user.role, via: 'token' }, expiresAt: claims.expiresAt };
  }

  async me(caller: Principal): Promise<UserRow | null> {
    return findUserById(this.db, caller.userId);
  }

  listUsers(): Promise<UserRow[]> {
    return listUsers(this.db);
  }

  async setUserRole(caller: Principal, userId: string, role: UserRole): Promise<UserRow> {
    if (!USER_ROLES.includes(role)) throw badInput(`role must be one of ${USER_ROLES.join(', ')}`, 'role');
    if (caller.userId === userId && role !== 'admin') {
      const admins = await this.db.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE role = 'admin'");
      if ((admins.rows[0]?.n ?? 0) <= 1) throw badInput('you are the last admin: make someone else admin first', 'role');
    }
    const user = await updateUserRole(this.db, userId, role).catch(() => null);
    if (!user) throw notFound(`no user with id ${userId}`);
    this.userCache.delete(userId);
    this.logger.info({ by: caller.userId, userId, role }, 'user role changed');
    return user;
  }

  async createApiKey(caller: Principal, input: { name: string; role: KeyRole }): Promise<{ key: string; row: ApiKeyRow }> {
    const name = input.name.trim();
    if (name.length < 1 || name.length > 100) throw badInput('name must be 1–100 characters', 'name');
    if (input.role !== 'user' && caller.role !== 'admin') throw forbidden(`only an admin may create ${input.role} keys`);
    if (caller.role === 'device') throw forbidden('a device key cannot create keys');
    return insertApiKey(this.db, { name, role: input.role, userId: caller.userId });
  }

  async revokeApiKey(caller: Principal, id: string): Promise<ApiKeyRow> {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw badInput('id must be an API key id', 'id');
    const row = await revokeApiKey(this.db, { id, userId: caller.role === 'admin' ? null : caller.userId });
    if (!row) throw notFound(`no API key with id ${id}`);
    return row;
  }

  listApiKeys(caller: Principal): Promise<ApiKeyRow[]> {
    return listApiKeys(this.db, caller.userId);
  }
}
