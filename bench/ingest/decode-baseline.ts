/** What validating the events costs on its own: the projector's decoding (`decodeStored`: JSON.parse + zod + subject check) over the same messages. */
import { decodeStored } from '../../schema/src/stored.ts';
import type { Timed } from './jetstream-baseline.ts';
import type { ReadingMessage } from './messages.ts';

export function decodeAll(messages: readonly ReadingMessage[], prefix: string, maxFutureMs: number): Timed {
  const storedAtMs = Date.now();
  const startedAt = performance.now();
  let valid = 0;
  for (const [i, m] of messages.entries()) {
    if (decodeStored({ subject: m.subject, data: m.payload, sequence: i + 1, storedAtMs }, { prefix, maxFutureMs }).ok) valid++;
  }
  const seconds = (performance.now() - startedAt) / 1000;
  if (valid !== messages.length) throw new Error(`only ${valid} of ${messages.length} bench readings decoded as valid`);
  return { count: valid, seconds, perSecond: valid / seconds };
}
