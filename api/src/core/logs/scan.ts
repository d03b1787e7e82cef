/**
 * Reading the log stream in order: an ordered consumer on one subject filter from a stream
 * sequence or a time, every line decoded, until the visitor has enough, a limit is reached, or
 * the stream's end. The queries and the resumable live feed both read this way.
 */
import { DeliverPolicy, jetstream, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeLogMessage, type DeviceLogLine } from '../../../../schema/src/logs.ts';
import { storedAtMs } from '../../../../schema/src/stored.ts';
import type { StreamNames } from '../../../../schema/src/subjects.ts';
import { CoreError } from '../errors.ts';

/** Where a scan begins: after a stream sequence, at a time (the stream's clock), or at the oldest line kept. */
export type ScanStart = { afterSequence: number } | { fromMs: number } | 'oldest';

export interface ScanOptions {
  /** Stop after this sequence (the head when a live feed joined): later lines are the feed's. */
  untilSequence?: number;
  /** Read at most this many messages. */
  limit?: number;
}

export interface ScanResult {
  /** Messages read, lines that did not decode included. */
  scanned: number;
  /** Sequence of the last message read; 0 when none was. */
  lastSequence: number;
  /** Stopped at `limit` with more lines still to read. */
  limited: boolean;
}

/** Every line stored is already there: a long silence means the stream stopped answering. */
const STALL_MS = 10_000;

async function nextWithin(iterator: AsyncIterator<JsMsg>): Promise<IteratorResult<JsMsg>> {
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CoreError('SERVICE_UNAVAILABLE', 'the log stream stopped answering; retry')), STALL_MS);
  });
  try {
    return await Promise.race([iterator.next(), stalled]);
  } finally {
    clearTimeout(timer);
  }
}

function deliverFrom(start: ScanStart) {
  if (start === 'oldest') return { deliver_policy: DeliverPolicy.All };
  if ('afterSequence' in start) return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start.afterSequence + 1 };
  return { deliver_policy: DeliverPolicy.StartTime, opt_start_time: new Date(start.fromMs).toISOString() };
}

/**
 * Hands each line on `subject` from `start` to `visit`, in stream order, until `visit` returns
 * false, the line after `untilSequence`, or the last line stored. Lines that do not decode (anyone
 * may publish on a log subject) are skipped.
 */
export async function scanLogLines(nc: NatsConnection, names: StreamNames, subject: string, start: ScanStart, visit: (line: DeviceLogLine) => boolean, options: ScanOptions = {}): Promise<ScanResult> {
  const result: ScanResult = { scanned: 0, lastSequence: 0, limited: false };
  if (options.untilSequence !== undefined && start !== 'oldest' && 'afterSequence' in start && start.afterSequence >= options.untilSequence) return result;
  const consumer = await jetstream(nc).consumers.get(names.logStream, { filter_subjects: subject, ...deliverFrom(start) });
  const messages = await consumer.consume({ max_messages: 500 });
  try {
    const info = await consumer.info();
    if (info.num_pending === 0 && info.delivered.consumer_seq === 0) return result;
    const iterator = messages[Symbol.asyncIterator]();
    for (;;) {
      const next = await nextWithin(iterator);
      if (next.done) return result;
      const message = next.value;
      if (options.untilSequence !== undefined && message.seq > options.untilSequence) return result;
      result.scanned++;
      result.lastSequence = message.seq;
      const decoded = decodeLogMessage({ subject: message.subject, data: message.data, sequence: message.seq, storedAtMs: storedAtMs(message.timestampNanos) }, names.prefix);
      if (decoded.ok && !visit(decoded.line)) return result;
      if (message.info.pending === 0 || message.seq === options.untilSequence) return result;
      if (options.limit !== undefined && result.scanned >= options.limit) {
        result.limited = true;
        return result;
      }
    }
  } finally {
    messages.stop();
  }
}
