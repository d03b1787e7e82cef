/** Roles: people are admins or users; API keys may also carry the device role (ingest only). */
export const USER_ROLES = ['admin', 'user'] as const;
export type UserRole = (typeof USER_ROLES)[number];
export const KEY_ROLES = ['admin', 'user', 'device'] as const;
export type KeyRole = (typeof KEY_ROLES)[number];

export interface Principal {
  userId: string;
  username: string;
  role: KeyRole;
  /** How the caller proved who it is. */
  via: 'token' | 'apiKey';
}

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,50}$/;
