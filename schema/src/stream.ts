/** Stream settings, and creating/updating the streams to match them. */
import { DiscardPolicy, JetStreamApiError, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { DEFAULT_LOG_RETENTION_SECONDS, LOG_MAX_MESSAGE_BYTES, logSubjects } from './logs.ts';
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

/** Settings of the streams that come from configuration. */
export interface StreamSettings {
  /** How long a device log line is kept (`DEVICE_LOG_RETENTION`): the log stream's max age. */
  logRetentionSeconds: number;
}

export const DEFAULT_STREAM_SETTINGS: StreamSettings = { logRetentionSeconds: DEFAULT_LOG_RETENTION_SECONDS };

/**
 * Device log lines: kept for `logRetentionSeconds`, then the server drops them (the stream's max
 * age is the log TTL, no cleanup job). Unlike the domain stream it makes room by dropping the
 * oldest lines, and it takes no big messages.
 */
export function logStreamConfig(names: StreamNames, settings: StreamSettings): Partial<StreamConfig> & { name: string } {
  const maxAgeNs = settings.logRetentionSeconds * 1_000_000_000;
  return {
    name: names.logStream,
    subjects: logSubjects.streamSubjects(names.prefix),
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    max_age: maxAgeNs,
    // The server refuses a duplicate window longer than the max age.
    duplicate_window: Math.min(DUPLICATE_WINDOW_NS, maxAgeNs),
    max_msg_size: LOG_MAX_MESSAGE_BYTES,
    num_replicas: 1,
  };
}

/** Creates the stream, or (unless `update` is false) brings an existing one's settings up to date. */
async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }, update = true): Promise<void> {
  try {
    await jsm.streams.info(config.name);
    if (update) await jsm.streams.update(config.name, config);
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

/**
 * Creates the domain, dead-letter and log streams, or brings their settings up to date. Every
 * service passes its configured `settings` and applies them at start (give them all the same
 * DEVICE_LOG_RETENTION). Without `settings` (tests, tools) a missing log stream is created with
 * the defaults and an existing one keeps its retention.
 */
export async function ensureStreams(jsm: JetStreamManager, names: StreamNames, settings?: StreamSettings): Promise<void> {
  await ensureStream(jsm, domainStreamConfig(names));
  await ensureStream(jsm, deadLetterStreamConfig(names));
  await ensureStream(jsm, logStreamConfig(names, settings ?? DEFAULT_STREAM_SETTINGS), settings !== undefined);
}

/** JetStream's "no such stream/consumer" (API status 404). */
export function isNotFound(error: unknown): boolean {
  return error instanceof JetStreamApiError && error.status === 404;
}
