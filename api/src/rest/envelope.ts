/**
 * The REST envelope of SPEC §8 and the one mapping of errors to HTTP statuses and
 * messages. Core errors keep the core's message, with the field it names spelled the
 * way REST clients send it (`deviceCode must…` → `device_code must…`); anything
 * unexpected is logged and masked.
 */
import type { ServerResponse } from 'node:http';
import type { Logger } from '../../../schema/src/log.ts';
import { CoreError, type ErrorCode } from '../core/errors.ts';
import { databaseUnavailable } from '../core/unavailable.ts';

export interface Paginator {
  total_items: number;
  total_pages: number;
  item_from: number;
  item_to: number;
  current_page: number;
  limit: number;
  next_page?: number;
  previous_page?: number;
}

export interface Envelope {
  status: 'success' | 'error';
  message: string;
  data?: unknown;
  paginator?: Paginator;
}

/** What a handler answers: 200 unless it says otherwise; `error` in the envelope for a status from 400 up. */
export interface RestResult {
  status?: number;
  message: string;
  data?: unknown;
  paginator?: Paginator;
  headers?: Record<string, string>;
}

/** Failures of the HTTP layer itself (no route, wrong method, body too large): no core code fits them. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/**
 * CHANGE_PENDING is 202 Accepted: the change is in the stream and will be applied, it
 * just was not applied within CHANGE_WAIT_MS; repeating the request with the same
 * Idempotency-Key answers its result. It is the only code that is not an error.
 */
export const HTTP_STATUS = {
  BAD_USER_INPUT: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  TOO_MANY_REQUESTS: 429,
  CHANGE_PENDING: 202,
  SERVICE_UNAVAILABLE: 503,
} as const satisfies Record<ErrorCode, number>;

/** Core field names (GraphQL's) → the names REST clients use. */
export const REST_FIELD_NAMES: Readonly<Record<string, string>> = {
  deviceCode: 'device_code',
  deviceNumber: 'device_number',
  sensorType: 'sensor_type',
  value: 'sensor_value',
  from: 'start_time',
  to: 'end_time',
  idempotencyKey: 'Idempotency-Key',
  batchId: 'Idempotency-Key',
};

/** The core's message, its leading field name (and any mention of the idempotency key) in REST's words. */
export function restMessage(error: CoreError): string {
  const field = typeof error.details.field === 'string' ? error.details.field : null;
  const alias = field ? REST_FIELD_NAMES[field] : undefined;
  let message = error.message;
  if (field && alias && message.startsWith(`${field} `)) message = `${alias}${message.slice(field.length)}`;
  return message.replace(/\ba batchId\b/g, 'an Idempotency-Key').replace(/\b(idempotencyKey|batchId)\b/g, 'Idempotency-Key');
}

export function send(res: ServerResponse, status: number, envelope: Envelope, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(envelope);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', ...headers });
  res.end(body);
}

export function sendResult(res: ServerResponse, result: RestResult): void {
  const status = result.status ?? 200;
  const envelope: Envelope = { status: status < 400 ? 'success' : 'error', message: result.message };
  if (result.data !== undefined) envelope.data = result.data;
  if (result.paginator) envelope.paginator = result.paginator;
  send(res, status, envelope, result.headers);
}

/** The answer for a thrown error: coded ones by their code, a lost database a retryable 503, anything else a logged 500. */
export function errorResult(error: unknown, logger: Logger, where: string): { status: number; envelope: Envelope; headers: Record<string, string> } {
  if (error instanceof HttpError) return { status: error.status, envelope: { status: 'error', message: error.message }, headers: error.headers };
  const unavailable = error instanceof CoreError ? null : databaseUnavailable(error);
  if (unavailable) {
    logger.warn({ err: error, where }, 'database unavailable during a REST request');
    return { status: HTTP_STATUS[unavailable.code], envelope: { status: 'error', message: unavailable.message }, headers: { 'retry-after': '2' } };
  }
  if (error instanceof CoreError) {
    const status = HTTP_STATUS[error.code];
    if (error.code === 'CHANGE_PENDING') {
      const data = { affected: null, pending: true, command_id: error.details.commandId, sequence: Number(error.details.sequence) };
      return { status, envelope: { status: 'success', message: restMessage(error), data }, headers: { 'retry-after': '1' } };
    }
    return { status, envelope: { status: 'error', message: restMessage(error) }, headers: status === 401 ? { 'www-authenticate': 'Bearer' } : {} };
  }
  logger.error({ err: error, where }, 'unexpected error in a REST request');
  return { status: 500, envelope: { status: 'error', message: 'internal server error' }, headers: {} };
}
