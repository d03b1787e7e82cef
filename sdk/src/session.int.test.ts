import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { publishEvents, reading } from '../../test/support/events.ts';
import { MeDocument, ReadingsDocument, SdkError, Session, UpdateReadingsDocument, type Tokens } from '../index.ts';

let env: TestEnv;
let api: ApiStack;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env, { ACCESS_TOKEN_TTL_SECONDS: '60' });
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

describe('the SDK session', () => {
  it('registers, queries and edits with typed documents', async () => {
    const sequences = await publishEvents(jetstream(env.nc), env.names, [reading({ deviceCode: 'SDK', value: 5 }), reading({ deviceCode: 'SDK', value: 6 })]);
    await api.projector.waitFor(sequences.at(-1)!, 5000);
    const session = new Session({ url: api.url });
    const registered = await session.register('sdkadmin', 'password123');
    expect(registered.user.role).toBe('ADMIN');

    const { readings } = await session.request(ReadingsDocument, { filter: { deviceCode: 'SDK' }, first: 10, withTotal: true });
    expect(readings.totalCount).toBe(2);
    expect(readings.nodes.map((r) => r.value)).toEqual([6, 5]);

    const { updateReadings } = await session.request(UpdateReadingsDocument, { filter: { deviceCode: 'SDK' }, changes: { value: 0 } });
    expect(updateReadings.affected).toBe(2);
    const after = await session.request(ReadingsDocument, { filter: { deviceCode: 'SDK' } });
    expect(after.readings.nodes.map((r) => [r.value, r.version, r.updatedBy])).toEqual([
      [0, 1, 'sdkadmin'],
      [0, 1, 'sdkadmin'],
    ]);
  });

  it('refreshes the access token before it expires, and reports errors with their code', async () => {
    const seen: (Tokens | null)[] = [];
    // A margin longer than the token's life makes every request refresh first.
    const session = new Session({ url: api.url, refreshMarginMs: 120_000, onTokens: (t) => seen.push(t) });
    await session.register('sdkuser', 'password123');
    const first = session.current!;
    const { me } = await session.request(MeDocument);
    expect(me?.username).toBe('sdkuser');
    expect(session.current!.refreshToken).not.toBe(first.refreshToken);
    expect(seen.length).toBeGreaterThanOrEqual(2);

    const denied = await session.request(UpdateReadingsDocument, { filter: {}, changes: { value: 1 } }).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(SdkError);
    expect(denied).toMatchObject({ code: 'BAD_USER_INPUT', field: 'filter', message: 'at least one filter is required for update' });

    await session.logout();
    expect(session.current).toBeNull();
    expect(seen.at(-1)).toBeNull();
  });
});
