/**
 * The REST compatibility API (SPEC §8) under /api/v1: a thin adapter over the core.
 * Each route declares its method, path, who may call it (a permission of the one role
 * table, as the GraphQL fields do) and the zod schemas of its query and body; the
 * router checks them in this order — body size (413), credential (401), permission
 * (403), query and body (400) — and hands the handler typed input. Handlers call the
 * same core functions as the GraphQL resolvers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { Logger } from '../../../schema/src/log.ts';
import { requestLogger } from '../http-ops.ts';
import type { Services } from '../context.ts';
import type { Principal } from '../core/auth/roles.ts';
import { requirePermission, type Permission } from '../core/permissions.ts';
import { errorResult, HttpError, send, sendResult, type RestResult } from './envelope.ts';
import { check, parseJson, queryObject, readBody } from './input.ts';

export const REST_PREFIX = '/api/v1';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RestRequest<Q, B> {
  /** Who is calling; null only on routes open to anyone. */
  caller: Principal | null;
  query: Q;
  body: B;
  header(name: string): string | undefined;
  /** The client's address (login throttling). */
  address: string;
  services: Services;
}

/** What the OpenAPI document says of a route beyond its schemas. */
export interface RouteDoc {
  summary: string;
  description?: string;
  /** The shape of `data` in a success. */
  data?: z.ZodType;
  /** Whether a success carries the paginator. */
  paginated?: boolean;
  /** Answers particular to this route, by status (400, 401, 403 and 413 are derived from the schemas and `auth`). */
  responses?: Record<number, string>;
}

/** A route as the router and the OpenAPI document see it. */
export interface Route extends RouteDoc {
  method: Method;
  /** Below REST_PREFIX, e.g. `/sensors`. */
  path: string;
  /** `none`: no credential looked at; `optional`: used when sent; else the permission needed. */
  auth: 'none' | 'optional' | Permission;
  query: z.ZodType;
  body?: z.ZodType;
  handle(request: RestRequest<unknown, unknown>): Promise<RestResult>;
}

/** Declares a route with its handler typed by its schemas. */
export function route<Q extends z.ZodType, B extends z.ZodType = z.ZodUndefined>(
  definition: Omit<Route, 'query' | 'body' | 'handle'> & { query: Q; body?: B; handle(request: RestRequest<z.output<Q>, z.output<B>>): Promise<RestResult> },
): Route {
  return definition as Route;
}

function matchRoute(routes: readonly Route[], method: string, path: string): Route {
  const candidates = routes.filter((r) => r.path === path);
  if (candidates.length === 0) throw new HttpError(404, `no route for ${method} ${REST_PREFIX}${path}; the API is described at ${REST_PREFIX}/openapi.json`);
  const found = candidates.find((r) => r.method === method);
  if (!found) {
    const allowed = candidates.map((r) => r.method).join(', ');
    throw new HttpError(405, `method ${method} is not allowed on ${REST_PREFIX}${path}; use ${allowed}`, { allow: allowed });
  }
  return found;
}

async function callerOf(route: Route, req: IncomingMessage, services: Services): Promise<Principal | null> {
  if (route.auth === 'none') return null;
  // A credential that is sent must be valid (401 saying why), even where none is needed.
  const authenticated = await services.auth.authenticate(req.headers.authorization);
  const caller = authenticated?.principal ?? null;
  if (route.auth === 'optional') return caller;
  return requirePermission(caller, route.auth);
}

export function createRestHandler(routes: readonly Route[], services: Services, logger: Logger) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.slice(REST_PREFIX.length).replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    try {
      const found = matchRoute(routes, method, path);
      const text = found.body ? await readBody(req) : '';
      const caller = await callerOf(found, req, services);
      const query = check(found.query, queryObject(url.searchParams), 'query');
      const body = found.body ? check(found.body, parseJson(text), 'body') : undefined;
      const header = (name: string) => {
        const value = req.headers[name.toLowerCase()];
        return Array.isArray(value) ? value[0] : value;
      };
      sendResult(res, await found.handle({ caller, query, body, header, address: req.socket.remoteAddress ?? 'unknown', services }));
    } catch (error) {
      const { status, envelope, headers } = errorResult(error, requestLogger(logger, req), `${method} ${url.pathname}`);
      send(res, status, envelope, headers);
    }
  };
}
