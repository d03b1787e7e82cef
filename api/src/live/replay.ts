/**
 * Replays the stream for a subscriber that resumes: every stored event on `subject`
 * after `afterSequence` up to `until`, in order, in batches (so callers can check a
 * batch against the read model at once). Each delivered message tells how many more
 * match (`info.pending`), which is how the replay knows it is done.
 */
import { DeliverPolicy, jetstream, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { CoreError } from '../core/errors.ts';

/**
 * Everything replayed is already stored, so a long silence means the stream went away (a
 * nats-server restart can leave the consumer waiting for good): end the replay with an
 * error the client can act on instead of hanging.
 */
const STALL_MS = 5_000;

async function nextWithin<T>(iterator: AsyncIterator<T>, ms: number): Promise<IteratorResult<T>> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CoreError('SERVICE_UNAVAILABLE', `the event stream stopped answering during the replay; resubscribe with afterSequence to resume`)), ms);
  });
  try {
    return await Promise.race([iterator.next(), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

export async function* replayMessages(nc: NatsConnection, stream: string, subject: string, afterSequence: number, until: number, batchSize = 500): AsyncGenerator<JsMsg[]> {
  if (afterSequence >= until) return;
  const consumer = await jetstream(nc).consumers.get(stream, {
    filter_subjects: subject,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: afterSequence + 1,
  });
  const messages = await consumer.consume({ max_messages: batchSize });
  try {
    const info = await consumer.info();
    if (info.num_pending === 0 && info.delivered.consumer_seq === 0) return;
    let batch: JsMsg[] = [];
    const iterator = messages[Symbol.asyncIterator]();
    for (;;) {
      const next = await nextWithin(iterator, STALL_MS);
      if (next.done) break;
      const message = next.value;
      if (message.seq > until) break;
      batch.push(message);
      const last = message.seq >= until || message.info.pending === 0;
      if (batch.length >= batchSize || last) {
        yield batch;
        batch = [];
      }
      if (last) break;
    }
    if (batch.length) yield batch;
  } finally {
    messages.stop();
  }
}
