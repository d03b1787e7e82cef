import { builder } from '../builder.ts';
import type { ApiKeyRow } from '../core/auth/api-keys.ts';
import type { AuthPayload } from '../core/auth/service.ts';
import type { UserRow } from '../core/auth/users.ts';
import { KEY_ROLES, USER_ROLES } from '../core/auth/roles.ts';

const upper = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v.toUpperCase(), { value: v }])) as Record<Uppercase<T>, { value: T }>;

export const Role = builder.enumType('Role', { values: upper(USER_ROLES) });
export const ApiKeyRole = builder.enumType('ApiKeyRole', { values: upper(KEY_ROLES), description: 'DEVICE keys may only record readings.' });

export const User = builder.objectRef<UserRow>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    username: t.exposeString('username'),
    role: t.field({ type: Role, resolve: (u) => u.role }),
    createdAt: t.field({ type: 'DateTime', resolve: (u) => u.createdAt }),
  }),
});

const AuthPayloadType = builder.objectRef<AuthPayload>('AuthPayload').implement({
  fields: (t) => ({
    accessToken: t.exposeString('accessToken'),
    refreshToken: t.exposeString('refreshToken'),
    expiresAt: t.field({ type: 'DateTime', resolve: (p) => p.expiresAt }),
    user: t.field({ type: User, resolve: (p) => p.user }),
  }),
});

const ApiKey = builder.objectRef<ApiKeyRow>('ApiKey').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    role: t.field({ type: ApiKeyRole, resolve: (k) => k.role }),
    createdAt: t.field({ type: 'DateTime', resolve: (k) => k.createdAt }),
    revokedAt: t.field({ type: 'DateTime', nullable: true, resolve: (k) => k.revokedAt }),
  }),
});

const CreatedApiKey = builder.objectRef<{ key: string; row: ApiKeyRow }>('CreatedApiKey').implement({
  fields: (t) => ({
    key: t.exposeString('key', { description: 'The secret key. Shown once: store it now.' }),
    apiKey: t.field({ type: ApiKey, resolve: (k) => k.row }),
  }),
});

builder.queryFields((t) => ({
  me: t.field({ type: User, nullable: true, resolve: (_r, _a, ctx) => ctx.services.auth.me(ctx.caller!) }),
  users: t.field({ type: [User], authScopes: { permission: 'manageUsers' }, resolve: (_r, _a, ctx) => ctx.services.auth.listUsers() }),
  apiKeys: t.field({
    type: [ApiKey],
    authScopes: { permission: 'manageOwnKeys' },
    description: 'Your API keys (secrets are never shown again).',
    resolve: (_r, _a, ctx) => ctx.services.auth.listApiKeys(ctx.caller!),
  }),
}));

builder.mutationFields((t) => ({
  register: t.field({
    type: AuthPayloadType,
    skipTypeScopes: true,
    description: 'The first account ever registered becomes ADMIN; later ones are USER unless an admin grants ADMIN.',
    args: { username: t.arg.string({ required: true }), password: t.arg.string({ required: true }), role: t.arg({ type: Role }) },
    resolve: (_r, args, ctx) => ctx.services.auth.register(ctx.caller, args),
  }),
  login: t.field({
    type: AuthPayloadType,
    skipTypeScopes: true,
    args: { username: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.auth.login(args, ctx.address),
  }),
  refreshToken: t.field({
    type: AuthPayloadType,
    skipTypeScopes: true,
    description: 'Trades a refresh token for a new pair. Each refresh token works once; reusing one revokes its session.',
    args: { refreshToken: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.auth.refresh(args.refreshToken),
  }),
  logout: t.boolean({
    authScopes: { permission: 'manageOwnSession' },
    description: 'Ends the session the refresh token belongs to.',
    args: { refreshToken: t.arg.string({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.auth.logout(ctx.caller!, args.refreshToken),
  }),
  setUserRole: t.field({
    type: User,
    authScopes: { permission: 'manageUsers' },
    args: { userId: t.arg.id({ required: true }), role: t.arg({ type: Role, required: true }) },
    resolve: (_r, args, ctx) => ctx.services.auth.setUserRole(ctx.caller!, String(args.userId), args.role),
  }),
  createApiKey: t.field({
    type: CreatedApiKey,
    authScopes: { permission: 'manageOwnKeys' },
    args: { name: t.arg.string({ required: true }), role: t.arg({ type: ApiKeyRole, required: true }) },
    resolve: (_r, args, ctx) => ctx.services.auth.createApiKey(ctx.caller!, args),
  }),
  revokeApiKey: t.field({
    type: ApiKey,
    authScopes: { permission: 'manageOwnKeys' },
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => ctx.services.auth.revokeApiKey(ctx.caller!, String(args.id)),
  }),
}));
