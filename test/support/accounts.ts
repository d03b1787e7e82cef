/** Accounts and credentials for API tests: register, log in, create API keys, through GraphQL. */
import type { GqlResponse } from './api.ts';

/** Anything that sends a GraphQL request (the ApiStack's `gql`, or `gqlClient`). */
export type Gql = <T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, token?: string) => Promise<GqlResponse<T>>;

export const PASSWORD = 'correct horse battery staple';

export interface Account {
  userId: string;
  username: string;
  role: 'ADMIN' | 'USER';
  accessToken: string;
  refreshToken: string;
}

interface AuthData {
  accessToken: string;
  refreshToken: string;
  user: { id: string; username: string; role: 'ADMIN' | 'USER' };
}

const AUTH_FIELDS = 'accessToken refreshToken user { id username role }';

function account(response: GqlResponse<Record<string, AuthData>>, field: string): Account {
  const data = response.data?.[field];
  if (!data) throw new Error(`${field} failed: ${JSON.stringify(response.errors)}`);
  return { userId: data.user.id, username: data.user.username, role: data.user.role, accessToken: data.accessToken, refreshToken: data.refreshToken };
}

/** Registers an account (as `token`'s owner, if given) and returns its credentials; throws if refused. */
export async function register(gql: Gql, username: string, options: { role?: 'ADMIN' | 'USER'; token?: string; password?: string } = {}): Promise<Account> {
  const response = await gql<Record<string, AuthData>>(
    `mutation ($username: String!, $password: String!, $role: Role) { register(username: $username, password: $password, role: $role) { ${AUTH_FIELDS} } }`,
    { username, password: options.password ?? PASSWORD, role: options.role ?? null },
    options.token,
  );
  return account(response, 'register');
}

export async function login(gql: Gql, username: string, password = PASSWORD): Promise<Account> {
  const response = await gql<Record<string, AuthData>>(
    `mutation ($username: String!, $password: String!) { login(username: $username, password: $password) { ${AUTH_FIELDS} } }`,
    { username, password },
  );
  return account(response, 'login');
}

/** Creates an API key with `token`'s rights and returns the secret key and its id. */
export async function createApiKey(gql: Gql, token: string, role: 'ADMIN' | 'USER' | 'DEVICE', name = `${role.toLowerCase()} key`): Promise<{ key: string; id: string }> {
  const response = await gql<{ createApiKey: { key: string; apiKey: { id: string } } }>(
    'mutation ($name: String!, $role: ApiKeyRole!) { createApiKey(name: $name, role: $role) { key apiKey { id } } }',
    { name, role },
    token,
  );
  if (!response.data) throw new Error(`createApiKey failed: ${JSON.stringify(response.errors)}`);
  return { key: response.data.createApiKey.key, id: response.data.createApiKey.apiKey.id };
}

/** The `extensions.code` of the first error, or null when the request had none. */
export const errorCode = (response: GqlResponse<unknown>) => (response.errors?.[0]?.extensions?.code as string | undefined) ?? null;
