/** Device log lines for tests: publish them as a device does, read the log stream back. */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeLogMessage, encodeLogLine, logSubjects, type DeviceLogLine, type LogLinePayload } from '../../schema/src/logs.ts';
import { storedAtMs } from '../../schema/src/stored.ts';
import type { StreamNames } from '../../schema/src/subjects.ts';

/** Publishes lines of one device to the log stream, acked, in order; returns their stream sequences. */
export async function publishLogLines(nc: NatsConnection, names: StreamNames, deviceCode: string, deviceNumber: number, lines: LogLinePayload[]): Promise<number[]> {
  const js = jetstream(nc);
  const sequences: number[] = [];
  for (const line of lines) sequences.push((await js.publish(logSubjects.line(names.prefix, deviceCode, deviceNumber), encodeLogLine(line))).seq);
  return sequences;
}

/** Every line now in the log stream on `subject` (every device's by default), decoded; throws on one that does not decode. */
export async function readLogLines(nc: NatsConnection, names: StreamNames, subject = logSubjects.filter(names.prefix)): Promise<DeviceLogLine[]> {
  const { state } = await (await jetstreamManager(nc)).streams.info(names.logStream);
  if (state.messages === 0) return [];
  const consumer = await jetstream(nc).consumers.get(names.logStream, { filter_subjects: subject });
  let pending = (await consumer.info(true)).num_pending;
  const lines: DeviceLogLine[] = [];
  while (pending > 0) {
    let received = 0;
    for await (const m of await consumer.fetch({ max_messages: Math.min(pending, 5000), expires: 2000 })) {
      received++;
      pending = m.info.pending;
      const decoded = decodeLogMessage({ subject: m.subject, data: m.data, sequence: m.seq, storedAtMs: storedAtMs(m.timestampNanos) }, names.prefix);
      if (!decoded.ok) throw new Error(`log message ${m.seq} does not decode: ${decoded.detail}`);
      lines.push(decoded.line);
    }
    if (received === 0) throw new Error(`${pending} log lines pending on ${subject}, none arrived`);
  }
  return lines;
}
