/**
 * One structured JSON logger per process (pino).
 *
 * - Request ids: a request's lines come from a child logger carrying its `requestId` (the API makes
 *   one per HTTP request and per WebSocket operation). No AsyncLocalStorage: on Node 20 it makes
 *   every promise in the process several times dearer, and the live feeds are made of promises.
 * - Secrets: fields that carry credentials are redacted by path, and as a last guard every
 *   line is scrubbed of anything shaped like a JWT or an API key before it is written.
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

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
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: { streamWrite: scrubSecrets },
  };
  return destination ? pino(options, destination) : pino(options);
}
