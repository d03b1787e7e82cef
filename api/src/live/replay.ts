/**
 * Replays the stream for a subscriber that resumes: every stored event on `subject`
 * after `afterSequence` up to `until`, in order, in batches (so callers can check a
 * batch against the read model at once). Each delivered message tells how many more
 * match (`info.pending`), which is how the replay knows it is done.
 */
import { DeliverPolicy, jetstream, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

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
    for await (const message of messages) {
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
