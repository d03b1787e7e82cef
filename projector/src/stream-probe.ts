/** The stream's side of `takeContiguous`: whether a sequence exists, and where the stream now starts. */
import type { JetStreamManager } from '@nats-io/jetstream';
import type { StreamProbe } from './batch.ts';

export function streamProbe(jsm: JetStreamManager, stream: string): StreamProbe {
  let first: Promise<number> | null = null;
  return {
    exists: async (sequence) => (await jsm.streams.getMessage(stream, { seq: sequence })) !== null,
    // Asked only when a hole shows up, and once per batch: a purge does not move it back.
    firstSequence: () => (first ??= jsm.streams.info(stream).then((info) => info.state.first_seq)),
  };
}
