/**
 * One structured JSON logger per process (pino).
 *
 * - Request ids: code that runs inside `withLogContext({ requestId }, fn)` (an HTTP request, a
 *   WebSocket operation) logs the request id on every line, whichever logger it holds; the
 *   context follows the async calls made from `fn` (AsyncLocalStorage).
 * - Secrets: fields that carry credentials are redacted by path, and as a last guard every
 *   line is scrubbed of anything shaped like a JWT or an API key before it is written.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

export interface LogContext {
  requestId: string;
}

const logContext = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` added to every log line written while it (and what it awaits) runs. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return logContext.run(context, fn);
}

/** Runs `fn` outside any request's context: for work that outlives the request that started it. */
export function outsideLogContext<T>(fn: () => T): T {
  return logContext.exit(fn);
}

export function currentLogContext(): LogContext | undefined {
  return logContext.getStore();
}

const SECRET_FIELDS = ['password', 'newPassword', 'token', 'accessToken', 'refreshToken', 'authorization', 'Authorization', 'apiKey', 'key', 'secret', 'JWT_SECRET', 'cookie', 'connectionParams'];

export const REDACT_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((field) => `*.${field}`),
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'variables.*',
  '*.variables.*',
  'payload',
  '*.payload',
];

/** JWTs (three base64url parts, the first a JSON header: `eyJ…`) and our API keys (`sk_<id>_<secret>`). */
const SECRET_SHAPES = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+|sk_[0-9a-f-]{36}_[A-Za-z0-9_-]{20,}/g;

/** A log line with anything shaped like a token or an API key replaced. */
export function scrubSecrets(line: string): string {
  return line.includes('eyJ') || line.includes('sk_') ? line.replace(SECRET_SHAPES, '[redacted]') : line;
}

/** A logger writing JSON lines to stdout (or to `destination`, e.g. in tests). */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    name: service,
    level,
    base: { service },
    mixin: () => logContext.getStore() ?? {},
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: { streamWrite: scrubSecrets },
  };
  return destination ? pino(options, destination) : pino(options);
}
