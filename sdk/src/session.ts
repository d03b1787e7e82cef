/**
 * A logged-in session: keeps the access and refresh tokens, refreshes the access
 * token shortly before it expires (and once more if the server says it expired), so
 * callers just make requests.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, SdkError, type ClientOptions, type SensorClient } from './client.ts';
import { LoginDocument, LogoutDocument, RefreshTokenDocument, RegisterDocument } from './operations/auth.ts';

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: string;
}

/**
 * Tokens that several holders share (CLI invocations through one config file, browser
 * tabs through one storage). A refresh token works once, so holders must not refresh
 * at the same time with the same one: the session refreshes inside `exclusive`, first
 * adopting tokens another holder stored meanwhile.
 */
export interface SharedTokens {
  /** Runs `task` while no other holder of these tokens runs one. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
  /** The tokens as last stored by any holder (what `onTokens` stored). */
  read(): Tokens | null | Promise<Tokens | null>;
}

export interface SessionOptions extends Omit<ClientOptions, 'credential'> {
  /** Refresh this long before expiry. */
  refreshMarginMs?: number;
  clock?: () => number;
  /** Told about every new token pair (e.g. to store it). */
  onTokens?: (tokens: Tokens | null) => void;
  /** Coordinates refreshes with other holders of the same stored tokens. */
  shared?: SharedTokens;
}

export class Session implements SensorClient {
  private tokens: Tokens | null = null;
  private refreshing: Promise<void> | null = null;
  private readonly client: SensorClient;
  private readonly anonymous: SensorClient;
  private readonly clock: () => number;

  constructor(private readonly options: SessionOptions) {
    this.clock = options.clock ?? Date.now;
    this.client = createClient({ ...options, credential: () => this.freshAccessToken() });
    this.anonymous = createClient(options);
  }

  get current(): Tokens | null {
    return this.tokens;
  }

  resume(tokens: Tokens): void {
    this.setTokens(tokens);
  }

  private setTokens(tokens: Tokens | null): void {
    this.tokens = tokens;
    this.options.onTokens?.(tokens);
  }

  async login(username: string, password: string) {
    const { login } = await this.anonymous.request(LoginDocument, { username, password });
    this.setTokens(login);
    return login.user;
  }

  async register(username: string, password: string, role?: 'ADMIN' | 'USER') {
    const { register } = await (this.tokens ? this.client : this.anonymous).request(RegisterDocument, { username, password, role });
    if (!this.tokens) this.setTokens(register);
    return register;
  }

  async logout(): Promise<void> {
    const tokens = this.tokens;
    if (!tokens) return;
    await this.client.request(LogoutDocument, { refreshToken: tokens.refreshToken }).catch(() => undefined);
    this.setTokens(null);
  }

  async refresh(): Promise<void> {
    const tokens = this.tokens;
    if (!tokens) throw new SdkError([{ message: 'not logged in', extensions: { code: 'UNAUTHENTICATED' } }], 401);
    const shared = this.options.shared;
    const exchange = async (refreshToken: string) => {
      const { refreshToken: next } = await this.anonymous.request(RefreshTokenDocument, { refreshToken });
      this.setTokens(next);
    };
    const coordinated = async () => {
      const stored = await shared!.read();
      // Another holder refreshed since we read the tokens: theirs replace our spent refresh token.
      if (stored && stored.refreshToken !== tokens.refreshToken) {
        this.tokens = stored;
        if (!this.expiresSoon(stored)) return;
      }
      await exchange(this.tokens!.refreshToken);
    };
    this.refreshing ??= (shared ? shared.exclusive(coordinated) : exchange(tokens.refreshToken)).finally(() => (this.refreshing = null));
    await this.refreshing;
  }

  private expiresSoon(tokens: Tokens): boolean {
    return Date.parse(tokens.expiresAt) - this.clock() < (this.options.refreshMarginMs ?? 30_000);
  }

  /** A valid access token (refreshed first if it is about to expire), or null when logged out: e.g. for live feeds. */
  async accessToken(): Promise<string | null> {
    return this.freshAccessToken();
  }

  private async freshAccessToken(): Promise<string | null> {
    if (!this.tokens) return null;
    if (this.expiresSoon(this.tokens)) await this.refresh();
    return this.tokens?.accessToken ?? null;
  }

  async request<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVariables>,
    ...variables: TVariables extends Record<string, never> ? [] : [TVariables]
  ): Promise<TResult> {
    try {
      return await this.client.request(document, ...variables);
    } catch (error) {
      // The token may have expired in flight (or the clock is off): refresh once and retry.
      if (error instanceof SdkError && error.code === 'UNAUTHENTICATED' && /expired/.test(error.message) && this.tokens) {
        await this.refresh();
        return this.client.request(document, ...variables);
      }
      throw error;
    }
  }
}
