/**
 * A REST change the projector has not applied within CHANGE_WAIT_MS: 202 Accepted with
 * `data.pending`, and once a projector runs, the same request with the same
 * Idempotency-Key answers 200 with the count, the change applied once.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Projector } from '../../../projector/src/projector.ts';
import { register, type Account } from '../../../test/support/accounts.ts';
import { startBareApi, type BareApi } from '../../../test/support/bare-api.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { publishEvents, reading, T0 } from '../../../test/support/events.ts';
import { startProjector } from '../../../test/support/projector.ts';
import { restClient, type Rest } from '../../../test/support/rest.ts';
import { pendingChangeSchema } from './schemas.ts';

let env: TestEnv;
let api: BareApi;
let rest: Rest;
let projector: Projector | undefined;
let alice: Account;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startBareApi(env, { CHANGE_WAIT_MS: '300' });
  rest = restClient(api.url);
  alice = await register(api.gql, 'alice');
});

afterAll(async () => {
  await projector?.stop();
  await api?.stop();
  await env?.cleanup();
});

const streamMessages = async () => (await (await jetstreamManager(env.nc)).streams.info(env.names.stream)).state.messages;

describe('a REST change the projector has not applied in time', () => {
  it('is answered 202 with the command, and a retry with the same Idempotency-Key answers its result once applied', async () => {
    await publishEvents(jetstream(env.nc), env.names, [1, 2, 3].map((i) => reading({ deviceCode: 'PEND', value: 20, at: T0 + i * 1000 })));
    const update = () =>
      rest<Record<string, unknown>>('PUT', '/sensors', {
        token: alice.accessToken,
        headers: { 'idempotency-key': 'pending-1' },
        body: { criteria: { device_code: 'PEND' }, changes: { sensor_value: 33 } },
      });

    const pending = await update();
    expect(pending.status).toBe(202);
    expect(pending.headers.get('retry-after')).toBe('1');
    expect(pending.body.status).toBe('success');
    expect(pending.body.message).toMatch(/^the change was accepted \(command idem-[0-9a-f]{40}, stream sequence 4\) and is still being applied; retry with the same Idempotency-Key to get its result$/);
    const data = pendingChangeSchema.parse(pending.body.data);
    expect(data).toMatchObject({ affected: null, pending: true, sequence: 4 });
    expect(await streamMessages()).toBe(4);

    projector = startProjector(env);
    await projector.waitFor(data.sequence, 10_000);
    const done = await update();
    expect(done).toMatchObject({ status: 200, body: { status: 'success', message: 'sensor data updated', data: { affected: 3, sequence: 4, command_id: data.command_id } } });
    expect(await streamMessages()).toBe(4);
  });
});
