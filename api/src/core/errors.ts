/**
 * Expected failures, as typed errors with a code. They are mapped to GraphQL
 * `extensions.code` and HTTP statuses once, at each edge; anything else is unexpected
 * and gets masked.
 */
export type ErrorCode = 'BAD_USER_INPUT' | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'TOO_MANY_REQUESTS' | 'CHANGE_PENDING' | 'SERVICE_UNAVAILABLE';

export class CoreError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CoreError';
  }
}

export const badInput = (message: string, field?: string) => new CoreError('BAD_USER_INPUT', message, field ? { field } : {});
export const unauthenticated = (message = 'authentication required: send a valid access token as "Authorization: Bearer <token>"') => new CoreError('UNAUTHENTICATED', message);
export const forbidden = (message = 'your role may not do this') => new CoreError('FORBIDDEN', message);
export const notFound = (message: string) => new CoreError('NOT_FOUND', message);
