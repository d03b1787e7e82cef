/** Test support: every message of a stream, read back with an ordered consumer. */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { decodeEvent, type ReadingRecorded } from '../../../schema/src/events.ts';
import { headers } from '../../../schema/src/subjects.ts';

export interface StoredReading {
  subject: string;
  streamSeq: number;
  eventType: string | undefined;
  eventVersion: string | undefined;
  msgId: string | undefined;
  event: ReadingRecorded;
}

export async function readStream(nc: NatsConnection, stream: string): Promise<StoredReading[]> {
  const total = (await (await jetstreamManager(nc)).streams.info(stream)).state.messages;
  const consumer = await jetstream(nc).consumers.get(stream);
  const out: StoredReading[] = [];
  while (out.length < total) {
    const before = out.length;
    // Ask for no more than remain: a fetch waits for its full count until it expires.
    for await (const m of await consumer.fetch({ max_messages: Math.min(5000, total - before), expires: 2000 })) {
      const decoded = decodeEvent(m.data, { maxFutureMs: 5 * 60_000 });
      if (!decoded.ok) throw new Error(`stream message ${m.seq} does not decode: ${decoded.reason} ${decoded.detail}`);
      if (decoded.event.type !== 'ReadingRecorded') throw new Error(`stream message ${m.seq} is a ${decoded.event.type}`);
      out.push({
        subject: m.subject,
        streamSeq: m.seq,
        eventType: m.headers?.get(headers.eventType),
        eventVersion: m.headers?.get(headers.eventVersion),
        msgId: m.headers?.get(headers.msgId),
        event: decoded.event,
      });
    }
    if (out.length === before) throw new Error(`read ${out.length} of ${total} messages, then nothing more came`);
  }
  return out;
}

/** The seqs each device published, keyed `<code><number>`, sorted. */
export function seqsByDevice(readings: StoredReading[]): Map<string, number[]> {
  const byDevice = new Map<string, number[]>();
  for (const { event } of readings) {
    const key = `${event.data.deviceCode}${event.data.deviceNumber}`;
    const seqs = byDevice.get(key) ?? [];
    seqs.push(event.data.seq ?? 0);
    byDevice.set(key, seqs);
  }
  for (const seqs of byDevice.values()) seqs.sort((a, b) => a - b);
  return byDevice;
}

export function oneTo(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
