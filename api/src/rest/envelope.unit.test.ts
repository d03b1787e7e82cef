/** The one mapping of errors to REST answers: status by code, messages in REST's field names, the unexpected masked and logged. */
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../../schema/src/log.ts';
import { badInput, CoreError, forbidden, notFound, unauthenticated } from '../core/errors.ts';
import { errorResult, HttpError, restMessage } from './envelope.ts';

function recordingLogger() {
  const logged: unknown[][] = [];
  return { logged, logger: { error: (...args: unknown[]) => logged.push(args) } as unknown as Logger };
}

describe('REST error answers', () => {
  it.each([
    [badInput('limit is required', 'limit'), 400],
    [unauthenticated(), 401],
    [forbidden('the user role may not delete readings'), 403],
    [notFound('no simulator with id "x" is running'), 404],
    [new CoreError('TOO_MANY_REQUESTS', 'too many login attempts; wait a few minutes and try again'), 429],
    [new CoreError('SERVICE_UNAVAILABLE', 'the event stream is unavailable'), 503],
  ])('answers %s with %i and the error envelope', (error, status) => {
    const { logger, logged } = recordingLogger();
    expect(errorResult(error, logger, 'GET /api/v1/sensors')).toMatchObject({ status, envelope: { status: 'error', message: error.message } });
    expect(logged).toEqual([]);
  });

  it('answers a pending change with 202, the command in data, and Retry-After', () => {
    const pending = new CoreError('CHANGE_PENDING', 'the change was accepted (command c1, stream sequence 7) and is still being applied; retry with the same idempotencyKey to get its result', {
      commandId: 'c1',
      sequence: '7',
    });
    expect(errorResult(pending, recordingLogger().logger, 'PUT /api/v1/sensors')).toEqual({
      status: 202,
      envelope: {
        status: 'success',
        message: 'the change was accepted (command c1, stream sequence 7) and is still being applied; retry with the same Idempotency-Key to get its result',
        data: { affected: null, pending: true, command_id: 'c1', sequence: 7 },
      },
      headers: { 'retry-after': '1' },
    });
  });

  it('masks an unexpected error as 500 and logs it with where it happened', () => {
    const { logger, logged } = recordingLogger();
    const failure = new Error('connection terminated unexpectedly: password=hunter2');
    expect(errorResult(failure, logger, 'GET /api/v1/sensors')).toEqual({ status: 500, envelope: { status: 'error', message: 'internal server error' }, headers: {} });
    expect(logged).toEqual([[{ err: failure, where: 'GET /api/v1/sensors' }, 'unexpected error in a REST request']]);
  });

  it('passes the HTTP layer’s own errors with their status and headers', () => {
    const error = new HttpError(405, 'method PATCH is not allowed on /api/v1/sensors; use GET, PUT, DELETE', { allow: 'GET, PUT, DELETE' });
    expect(errorResult(error, recordingLogger().logger, 'PATCH /api/v1/sensors')).toEqual({ status: 405, envelope: { status: 'error', message: error.message }, headers: { allow: 'GET, PUT, DELETE' } });
  });
});

describe('core messages in REST field names', () => {
  it.each([
    [badInput('deviceCode must be 1–20 capital letters A–Z', 'deviceCode'), 'device_code must be 1–20 capital letters A–Z'],
    [badInput('value 101 is out of range for humidity (0…100 %)', 'value'), 'sensor_value 101 is out of range for humidity (0…100 %)'],
    [badInput('idempotencyKey must be 1–200 characters', 'idempotencyKey'), 'Idempotency-Key must be 1–200 characters'],
    [
      new CoreError('SERVICE_UNAVAILABLE', 'the batch could not be recorded whole (timeout); 0 of 1 were stored: send a batchId, so that a retry stores each reading once'),
      'the batch could not be recorded whole (timeout); 0 of 1 were stored: send an Idempotency-Key, so that a retry stores each reading once',
    ],
    // Only a message that starts with its field is renamed: SPEC texts stay word for word.
    [badInput('start time cannot be greater than end time', 'from'), 'start time cannot be greater than end time'],
    [badInput('at least one filter is required for update', 'filter'), 'at least one filter is required for update'],
    [badInput('limit must be an integer from 1 to 1000', 'limit'), 'limit must be an integer from 1 to 1000'],
  ])('says %s as %j', (error, message) => {
    expect(restMessage(error)).toBe(message);
  });
});
