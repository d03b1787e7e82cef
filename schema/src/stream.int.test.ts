/** The streams as ensureStreams makes them, on a real nats-server: the log stream beside the domain stream. */
import { DiscardPolicy, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { DUPLICATE_WINDOW_NS } from './subjects.ts';
import { ensureStreams } from './stream.ts';

let env: TestEnv;
let jsm: JetStreamManager;
const seconds = (n: number) => n * 1_000_000_000;

beforeAll(async () => {
  env = await createTestEnv();
  jsm = await jetstreamManager(env.nc);
});
afterAll(() => env?.cleanup());

describe('the log stream', () => {
  it('takes <prefix>.log.> apart from the domain stream, kept for the configured time, dropping the oldest lines', async () => {
    await ensureStreams(jsm, env.names, { logRetentionSeconds: 60 });
    const logs = (await jsm.streams.info(env.names.logStream)).config;
    expect(logs).toMatchObject({ subjects: [`${env.names.prefix}.log.>`], max_age: seconds(60), discard: DiscardPolicy.Old, max_msg_size: 16 * 1024 });
    // The server refuses a duplicate window longer than the max age.
    expect(logs.duplicate_window).toBe(seconds(60));
    const domain = (await jsm.streams.info(env.names.stream)).config;
    expect(domain.max_age).toBe(0);

    const js = jsm.jetstream();
    const ack = await js.publish(`${env.names.prefix}.log.A.1`, JSON.stringify({ level: 'info', message: 'hello' }));
    expect(ack.stream).toBe(env.names.logStream);
    expect((await jsm.streams.info(env.names.stream)).state.messages).toBe(0);
  });

  it('gets a changed retention from a service that starts with it, and keeps it when a tool ensures the streams without one', async () => {
    await ensureStreams(jsm, env.names, { logRetentionSeconds: 7 * 86_400 });
    expect((await jsm.streams.info(env.names.logStream)).config).toMatchObject({ max_age: seconds(7 * 86_400), duplicate_window: DUPLICATE_WINDOW_NS });
    await ensureStreams(jsm, env.names);
    expect((await jsm.streams.info(env.names.logStream)).config.max_age).toBe(seconds(7 * 86_400));
  });
});
