import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { EventPublisher, type OutgoingEvent } from './publisher.ts';

let env: TestEnv;
beforeAll(async () => {
  env = await createTestEnv();
});
afterAll(async () => {
  await env?.cleanup();
});

describe('event publisher', () => {
  it('has the stream store an event once when it is published twice with the same id, as a retry does', async () => {
    const acked: string[] = [];
    const publisher = new EventPublisher(env.nc, jetstream(env.nc), { maxInFlight: 1, maxQueued: 10, ackTimeoutMs: 2000, onAck: (id) => acked.push(id) });
    const event: OutgoingEvent = {
      subject: `${env.names.prefix}.reading.humidity.A.1`,
      id: 'sim-humidity-dup.A.1.1',
      type: 'ReadingRecorded',
      version: 1,
      payload: new TextEncoder().encode('{"not":"checked by the publisher"}'),
    };
    publisher.enqueue(event);
    publisher.enqueue({ ...event });
    expect(await publisher.whenIdle(5000)).toBe(true);
    expect(publisher.counters()).toMatchObject({ published: 2, duplicates: 1, inFlight: 0, queued: 0, errors: 0 });
    expect(acked).toEqual([event.id, event.id]);
    const info = await (await jetstreamManager(env.nc)).streams.info(env.names.stream);
    expect(info.state.messages).toBe(1);
  });

  it('keeps at most maxInFlight publishes un-acked and queues the rest', async () => {
    const publisher = new EventPublisher(env.nc, jetstream(env.nc), { maxInFlight: 3, maxQueued: 4, ackTimeoutMs: 2000 });
    for (let seq = 1; seq <= 7; seq++) {
      publisher.enqueue({
        subject: `${env.names.prefix}.reading.humidity.B.1`,
        id: `sim-humidity-window.B.1.${seq}`,
        type: 'ReadingRecorded',
        version: 1,
        payload: new TextEncoder().encode('{}'),
      });
    }
    expect(publisher.counters()).toMatchObject({ inFlight: 3, queued: 4 });
    expect(publisher.saturated).toBe(true);
    expect(await publisher.whenIdle(5000)).toBe(true);
    expect(publisher.counters()).toMatchObject({ published: 7, inFlight: 0, queued: 0 });
    expect(publisher.saturated).toBe(false);
  });
});
