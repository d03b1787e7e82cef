import { describe, expect, it } from 'vitest';
import { permanentFailure } from './live.ts';

describe('permanentFailure', () => {
  it('treats refused input, permissions and credentials as permanent, with their code', () => {
    const badFilter = permanentFailure([{ message: 'sensorType must be one of …', extensions: { code: 'BAD_USER_INPUT', field: 'sensorType' } }]);
    expect(badFilter).toMatchObject({ code: 'BAD_USER_INPUT', field: 'sensorType', message: 'sensorType must be one of …' });
    expect(permanentFailure([{ message: 'the user role may not …', extensions: { code: 'FORBIDDEN' } }])).toMatchObject({ code: 'FORBIDDEN' });
    expect(permanentFailure({ code: 4403, reason: 'Forbidden' })).toMatchObject({ code: 'UNAUTHENTICATED', message: 'the server refused the credentials for the live feed' });
    expect(permanentFailure({ code: 4400, reason: 'Invalid message received' })).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('leaves an expired token, a dropped connection and server trouble to reconnecting', () => {
    expect(permanentFailure([{ message: 'access token expired: the subscription has ended; reconnect with a fresh token', extensions: { code: 'UNAUTHENTICATED' } }])).toBeNull();
    expect(permanentFailure({ code: 1006, reason: '' })).toBeNull();
    expect(permanentFailure({ code: 1001, reason: 'Going away' })).toBeNull();
    expect(permanentFailure(new Error('connect ECONNREFUSED 127.0.0.1:4000'))).toBeNull();
    expect(permanentFailure([{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }])).toBeNull();
  });
});
