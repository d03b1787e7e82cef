/**
 * What the subscriptions should have received: the stream read back over the window,
 * each stored reading mapped to the device it was published for (by its subject).
 */
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { StreamNames } from '../../schema/src/subjects.ts';

/** For each sequence `from` < seq ≤ `to` (index seq − from − 1): the device index of its subject, or −1. */
export async function devicesOfWindow(nc: NatsConnection, names: StreamNames, from: number, to: number, deviceOfSubject: ReadonlyMap<string, number>): Promise<Int32Array> {
  const devices = new Int32Array(Math.max(0, to - from)).fill(-1);
  if (to <= from) return devices;
  const consumer = await jetstream(nc).consumers.get(names.stream, { filter_subjects: `${names.prefix}.reading.>`, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from + 1 });
  if ((await consumer.info()).num_pending === 0) return devices;
  const messages = await consumer.consume({ max_messages: 5000 });
  try {
    for await (const message of messages) {
      if (message.seq > to) break;
      devices[message.seq - from - 1] = deviceOfSubject.get(message.subject) ?? -1;
      if (message.seq >= to || message.info.pending === 0) break;
    }
  } finally {
    messages.stop();
  }
  return devices;
}
