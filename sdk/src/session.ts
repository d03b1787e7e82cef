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

export interface SessionOptions extends Omit<ClientOptions, 'credential'> {
  /** Refresh this long before expiry. */
  refreshMarginMs?: number;
  clock?: () => number;
  /** Told about every new token pair (e.g. to store it). */
  onTokens?: (tokens: Tokens | null) => void;
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
    this.refreshing ??= this.anonymous
      .request(RefreshTokenDocument, { refreshToken: tokens.refreshToken })
      .then(({ refreshToken }) => this.setTokens(refreshToken))
      .finally(() => (this.refreshing = null));
    await this.refreshing;
  }

  private async freshAccessToken(): Promise<string | null> {
    if (!this.tokens) return null;
    if (Date.parse(this.tokens.expiresAt) - this.clock() < (this.options.refreshMarginMs ?? 30_000)) await this.refresh();
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
