import { describe, expect, it } from 'vitest';
import { startService } from '../../test/support/processes.ts';

describe('projector start-up', () => {
  it.each([
    ['DATABASE_URL', 'mysql://localhost/sensors', /DATABASE_URL: expected a postgres:\/\/ URL, got "mysql:\/\/localhost\/sensors"/],
    ['NATS_URL', 'localhost:4222', /NATS_URL: expected a nats:\/\/ URL/],
    ['STREAM_NAME', 'bad name!', /STREAM_NAME: expected a stream name/],
    ['PROJECTOR_BATCH_SIZE', '0', /PROJECTOR_BATCH_SIZE: expected an integer from 1 to 100000, got "0"/],
    ['MAX_FUTURE_SECONDS', 'soon', /MAX_FUTURE_SECONDS: expected an integer/],
  ])('stops at once naming %s when it is malformed', async (name, value, message) => {
    const service = startService('projector/src/main.ts', { [name]: value });
    const code = await service.exited;
    expect(code).toBe(78);
    expect(service.output()).toMatch(message);
  });
});
