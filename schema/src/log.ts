/** One structured JSON logger per process (pino); secrets are redacted by path. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(service: string, level: string): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    redact: {
      paths: ['password', '*.password', 'token', '*.token', 'authorization', '*.authorization', 'headers.authorization', 'apiKey', '*.apiKey'],
      censor: '[redacted]',
    },
  });
}
