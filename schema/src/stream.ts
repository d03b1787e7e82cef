/** Stream settings, and creating/updating the streams to match them. */
import { DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { DUPLICATE_WINDOW_NS, subjects, type StreamNames } from './subjects.ts';

export function domainStreamConfig(names: StreamNames): Partial<StreamConfig> & { name: string } {
  return {
    name: names.stream,
    subjects: subjects.domainStreamSubjects(names.prefix),
    storage: StorageType.File,
    // The source of truth: nothing expires; a full stream refuses new events rather than dropping old ones.
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.New,
    max_age: 0,
    duplicate_window: DUPLICATE_WINDOW_NS,
    max_msg_size: 1024 * 1024,
    num_replicas: 1,
  };
}

export function deadLetterStreamConfig(names: StreamNames): Partial<StreamConfig> & { name: string } {
  return {
    name: names.deadLetterStream,
    subjects: subjects.deadLetterStreamSubjects(names.prefix),
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: DUPLICATE_WINDOW_NS,
    num_replicas: 1,
  };
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, config);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await jsm.streams.add(config);
    } catch (addError) {
      // Another process created it between our look and our add (JetStream error 10058).
      if (!(addError instanceof JetStreamApiError && addError.code === 10058)) throw addError;
    }
  }
}

/** Creates the domain and dead-letter streams, or brings their settings up to date. */
export async function ensureStreams(jsm: JetStreamManager, names: StreamNames): Promise<void> {
  await ensureStream(jsm, domainStreamConfig(names));
  await ensureStream(jsm, deadLetterStreamConfig(names));
}

/** JetStream's "no such stream/consumer" (API status 404). */
export function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.status === 404;
}
