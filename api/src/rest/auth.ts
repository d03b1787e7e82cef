/** /api/v1/auth: register and log in, through the core's AuthService (bootstrap rule, throttling). */
import { route } from './router.ts';
import { loginResultSchema, loginSchema, noQuerySchema, registeredSchema, registerSchema } from './schemas.ts';

export const authRoutes = [
  route({
    method: 'POST',
    path: '/auth/register',
    auth: 'optional',
    summary: 'Create an account',
    description:
      'The first account ever registered becomes admin; after that the role is user unless an admin (with their token in `Authorization`) grants admin. A token that is sent must be valid.',
    query: noQuerySchema,
    body: registerSchema,
    data: registeredSchema,
    responses: { 403: 'admin role asked for without an admin token' },
    async handle({ caller, body, services }) {
      const { user } = await services.auth.register(caller, { username: body.username, password: body.password, role: body.role ?? null });
      return { message: 'user registered', data: { id: user.id, username: user.username, role: user.role, created_at: user.createdAt.toISOString() } };
    },
  }),
  route({
    method: 'POST',
    path: '/auth/login',
    auth: 'none',
    summary: 'Log in for an access token',
    description: 'Send the token as `Authorization: Bearer <access_token>`; it expires at `expires_at` (unix seconds), then log in again.',
    query: noQuerySchema,
    body: loginSchema,
    data: loginResultSchema,
    responses: { 401: 'invalid username or password', 429: 'too many login attempts: wait and try again' },
    async handle({ body, address, services }) {
      const payload = await services.auth.login({ username: body.username, password: body.password }, address);
      return { message: 'login successful', data: { access_token: payload.accessToken, expires_at: Math.floor(payload.expiresAt.getTime() / 1000) } };
    },
  }),
];
