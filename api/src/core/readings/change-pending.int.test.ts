/**
 * The timeout path of read-your-writes: with no projector running, a change is recorded
 * in the stream but cannot be applied in CHANGE_WAIT_MS, so the API answers CHANGE_PENDING
 * (saying the change was accepted). Once a projector runs, a retry with the same
 * idempotencyKey answers the result, and the change was applied exactly once.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../../schema/src/log.ts';
import { buildProjector, type Projector } from '../../../../projector/src/projector.ts';
import { register, type Account } from '../../../../test/support/accounts.ts';
import { startBareApi, type BareApi } from '../../../../test/support/bare-api.ts';
import { createTestEnv, type TestEnv } from '../../../../test/support/env.ts';
import { publishEvents, reading, T0 } from '../../../../test/support/events.ts';

const WAIT_MS = 300;

let env: TestEnv;
let api: BareApi;
let projector: Projector | undefined;
let alice: Account;

beforeAll(async () => {
  env = await createTestEnv();
  api = await startBareApi(env, { CHANGE_WAIT_MS: String(WAIT_MS) });
  alice = await register(api.gql, 'alice');
});

afterAll(async () => {
  await projector?.stop();
  await api?.stop();
  await env?.cleanup();
});

const UPDATE = 'mutation ($key: String) { updateReadings(filter: { deviceCode: "PEND" }, changes: { value: 33 }, idempotencyKey: $key) { affected sequence commandId } }';

function startProjector(): Projector {
  if (projector) return projector;
  projector = buildProjector(
    { databaseUrl: env.databaseUrl, names: env.names, batchSize: 1000, maxFutureMs: 300_000, retryDelayMs: 100 },
    { nc: env.nc, logger: createLogger('projector-test', 'silent') },
  );
  projector.start();
  return projector;
}

const streamState = async () => (await (await jetstreamManager(env.nc)).streams.info(env.names.stream)).state;

describe('a change the projector has not applied in time', () => {
  it('is answered with CHANGE_PENDING saying it was accepted, and applied once when a projector runs', async () => {
    const seqs = await publishEvents(
      jetstream(env.nc),
      env.names,
      [1, 2, 3].map((i) => reading({ deviceCode: 'PEND', value: 20, at: T0 + i * 1000 })),
    );

    const started = Date.now();
    const pending = await api.gql(UPDATE, { key: 'pending-1' }, alice.accessToken);
    expect(Date.now() - started).toBeLessThan(WAIT_MS + 3000);
    expect(pending.data ?? null).toBeNull();
    const error = pending.errors?.[0];
    expect(error?.extensions?.code).toBe('CHANGE_PENDING');
    expect(error?.message).toMatch(/^the change was accepted \(command idem-[0-9a-f]{40}, stream sequence \d+\)/);
    const commandId = error?.extensions?.commandId as string;
    const sequence = error?.extensions?.sequence as string;
    expect(sequence).toBe(String(seqs.at(-1)! + 1));
    expect((await streamState()).messages).toBe(4);

    // Still pending: the retry names the same command and the stream keeps one copy of it.
    const again = await api.gql(UPDATE, { key: 'pending-1' }, alice.accessToken);
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CHANGE_PENDING', commandId, sequence });
    expect((await streamState()).messages).toBe(4);

    await startProjector().waitFor(Number(sequence), 10_000);

    const retry = await api.gql(UPDATE, { key: 'pending-1' }, alice.accessToken);
    expect(retry.errors).toBeUndefined();
    expect(retry.data).toEqual({ updateReadings: { affected: 3, sequence, commandId } });
    expect((await streamState()).messages).toBe(4);

    const rows = await env.db.query("SELECT value, version FROM readings WHERE device_code = 'PEND' ORDER BY id");
    expect(rows.rows).toEqual(Array(3).fill({ value: 33, version: 1 }));
  });

  it('answers a change within the wait once a projector runs', async () => {
    const seqs = await publishEvents(jetstream(env.nc), env.names, [reading({ deviceCode: 'LATE', value: 20 }), reading({ deviceCode: 'LATE', value: 21 })]);
    await startProjector().waitFor(seqs.at(-1)!, 10_000);
    const response = await api.gql('mutation { updateReadings(filter: { deviceCode: "LATE" }, changes: { value: 0 }) { affected } }', {}, alice.accessToken);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual({ updateReadings: { affected: 2 } });
    const rows = await env.db.query("SELECT value, version FROM readings WHERE device_code = 'LATE'");
    expect(rows.rows).toEqual([
      { value: 0, version: 1 },
      { value: 0, version: 1 },
    ]);
  });
});
