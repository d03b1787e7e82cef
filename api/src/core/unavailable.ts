/**
 * Failures of the infrastructure rather than of the request: the database is down,
 * restarting, or cut the connection. Clients get a SERVICE_UNAVAILABLE they can retry
 * instead of a masked internal error; the API itself recovers once the database is back
 * (the pool opens fresh connections), so nothing needs restarting.
 */
import { CoreError } from './errors.ts';

/** Socket-level failures of a connection to the database. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
/** PostgreSQL SQLSTATEs of a server going away or not taking connections (class 08: connection exceptions). */
const SERVER_CODES = new Set(['57P01', '57P02', '57P03', '53300']);
/** What node-postgres says when the connection dies under it or cannot be had in time. */
const CLIENT_MESSAGES = [/^Connection terminated/, /timeout exceeded when trying to connect/, /Client has encountered a connection error and is not queryable/, /Connection terminated due to connection timeout/];

function isConnectionFailure(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SERVER_CODES.has(code) || code.startsWith('08'))) return true;
  if (CLIENT_MESSAGES.some((pattern) => pattern.test(error.message))) return true;
  // drizzle wraps driver errors in `cause`; graphql in `originalError`; a dual-stack connect in an AggregateError.
  const nested = [error.cause, (error as { originalError?: unknown }).originalError, ...(error instanceof AggregateError ? error.errors : [])];
  return nested.some((inner) => isConnectionFailure(inner, depth + 1));
}

/** The retryable error to give a client when `error` is a lost or refused database connection; null otherwise. */
export function databaseUnavailable(error: unknown): CoreError | null {
  if (!isConnectionFailure(error)) return null;
  return new CoreError('SERVICE_UNAVAILABLE', 'the database is unavailable at the moment; retry in a few seconds', { retryable: true });
}
