import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionError } from '../core/permissions.ts';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';

let env: TestEnv;
let api: ApiStack;
let user: string;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env);
  await api.gql(`mutation { register(username: "admin", password: "password123") { accessToken } }`);
  user = (await api.gql<{ register: { accessToken: string } }>(`mutation { register(username: "viewer", password: "password123") { accessToken } }`)).data!.register.accessToken;
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

describe('error answers', () => {
  it('reports a variable that cannot be coerced (an Int out of range) as bad input, not a server error', async () => {
    const response = await api.gql(`query($n: Int) { readings(filter: { deviceNumber: $n }) { totalCount } }`, { n: 2147483648 }, user);
    expect(response.errors?.[0]).toMatchObject({ message: expect.stringMatching(/Int cannot represent/), extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('says which permission a role lacks, in the words of the core', async () => {
    const response = await api.gql(`mutation { deleteReadings(filter: { deviceCode: "A" }) { affected } }`, {}, user);
    const expected = permissionError({ userId: 'x', username: 'viewer', role: 'user', via: 'token' }, 'deleteReadings');
    expect(response.errors?.[0]).toMatchObject({ message: expected?.message, extensions: { code: 'FORBIDDEN' } });
    expect(expected?.message).toBe('the user role may not delete readings');
  });
});
