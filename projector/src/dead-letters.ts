/** Publishing refused events to the dead-letter stream, with the reason in headers and the original bytes. */
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { headers, subjects, type StreamNames } from '../../schema/src/index.ts';
import type { DeadLetter } from './batch.ts';

export async function publishDeadLetters(js: JetStreamClient, names: StreamNames, deadLetters: readonly DeadLetter[]): Promise<void> {
  await Promise.all(
    deadLetters.map((letter) => {
      const h = natsHeaders();
      h.set(headers.deadLetterReason, `${letter.reason}: ${letter.detail}`.slice(0, 1000));
      h.set(headers.deadLetterSubject, letter.subject);
      h.set(headers.deadLetterSequence, String(letter.sequence));
      // The msg id makes a batch retried after a failed commit store each dead letter once.
      return js.publish(subjects.deadLetter(names.prefix, letter.reason), letter.data, {
        msgID: `${names.stream}:${letter.sequence}`,
        headers: h,
      });
    }),
  );
}
