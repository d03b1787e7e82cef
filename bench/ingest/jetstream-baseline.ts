/**
 * Baseline 1: what Node and JetStream alone do with the same messages — acked
 * publishes through a bounded window, then pull consumers that ack — with no
 * decoding and no database.
 */
import { AckPolicy, DeliverPolicy, jetstream, type JetStreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { headers } from '../../schema/src/subjects.ts';
import type { ReadingMessage } from './messages.ts';

export interface Timed {
  count: number;
  seconds: number;
  perSecond: number;
}

const timed = (count: number, startedAt: number): Timed => {
  const seconds = (performance.now() - startedAt) / 1000;
  return { count, seconds, perSecond: count / seconds };
};

/** Publishes every message with an ack, at most `window` un-acked at a time, as the simulator does. */
export async function publishAll(nc: NatsConnection, messages: readonly ReadingMessage[], window: number): Promise<Timed> {
  const js = jetstream(nc);
  let inFlight = 0;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const settled = () => {
    inFlight--;
    const resume = wake;
    wake = null;
    resume?.();
  };
  const startedAt = performance.now();
  for (const message of messages) {
    while (inFlight >= window) await new Promise<void>((resolve) => (wake = resolve));
    if (failure) break;
    const h = natsHeaders();
    h.set(headers.eventType, message.event.type);
    h.set(headers.eventVersion, String(message.event.version));
    inFlight++;
    js.publish(message.subject, message.payload, { msgID: message.id, headers: h, timeout: 10_000 }).then(settled, (error: unknown) => {
      failure ??= error;
      settled();
    });
  }
  while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  if (failure) throw failure;
  return timed(messages.length, startedAt);
}

export type AckMode =
  /** Every message acked on its own (AckExplicit): the common pattern. */
  | 'each'
  /** The projector's pattern: AckAll, one ack at the end of each batch of `batchSize`. */
  | 'batch';

/** Reads `count` messages from the start of the stream with a durable pull consumer, acking as `mode` says. */
export async function consumeAll(nc: NatsConnection, jsm: JetStreamManager, stream: string, count: number, mode: AckMode, batchSize: number): Promise<Timed> {
  const name = `bench-consume-${mode}`;
  await jsm.consumers.add(stream, {
    durable_name: name,
    ack_policy: mode === 'each' ? AckPolicy.Explicit : AckPolicy.All,
    deliver_policy: DeliverPolicy.All,
    ack_wait: 60_000_000_000,
    max_ack_pending: mode === 'each' ? 20_000 : 50_000,
  });
  try {
    const consumer = await jetstream(nc).consumers.get(stream, name);
    const startedAt = performance.now();
    const messages = await consumer.consume({ max_messages: mode === 'each' ? 1000 : Math.max(batchSize * 2, 1000) });
    let seen = 0;
    for await (const m of messages) {
      seen++;
      if (mode === 'each' || seen % batchSize === 0 || seen === count) m.ack();
      if (seen === count) break;
    }
    const result = timed(seen, startedAt);
    await messages.close();
    return result;
  } finally {
    await jsm.consumers.delete(stream, name).catch(() => undefined);
  }
}
