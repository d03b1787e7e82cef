/**
 * The rebuild benchmark's stream: filled once with seeded readings (generated in
 * chunks, so ten million fit in little memory), and read back on its own — the
 * floor under any replay, with no decoding and no database.
 */
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { SensorType } from '../../schema/src/sensors.ts';
import type { StreamNames } from '../../schema/src/subjects.ts';
import { publishAll, type Timed } from '../ingest/jetstream-baseline.ts';
import { readingChunks, type ReadingMessage, type ReadingSpread } from '../ingest/messages.ts';
import { fmt } from '../support/format.ts';
import type { BenchEnv } from '../support/isolated.ts';

const TYPES: readonly SensorType[] = ['temperature', 'humidity', 'pressure'];
const CHUNK = 50_000;
const WINDOW = 4096;

export interface Dataset {
  prefix: string;
  events: number;
  spread: ReadingSpread;
}

/** The same readings, in the same order, every time it is called: what was published is what COPY gets. */
export const chunksOf = (d: Dataset): Iterable<ReadingMessage[]> => readingChunks(d.prefix, d.events, CHUNK, d.spread);

/** ~20,000 readings/s from 6,000 devices over the span the events would take a real fleet. */
export function datasetFor(names: StreamNames, events: number, nowMs: number): Dataset {
  return { prefix: names.prefix, events, spread: { types: TYPES, devicesPerType: 2000, nowMs, spanMs: Math.ceil(events / 20) } };
}

export async function fillStream(env: BenchEnv, d: Dataset, progress: (line: string) => void): Promise<Timed & { bytes: number }> {
  // noAsyncTraces: the client does not build an Error per publish to keep its stack.
  const nc = await connect({ servers: env.natsUrl.split(','), name: `bench-${env.id}-fill`, noAsyncTraces: true });
  const startedAt = performance.now();
  let published = 0;
  let bytes = 0;
  let lastReport = startedAt;
  try {
    for (const chunk of chunksOf(d)) {
      await publishAll(nc, chunk, WINDOW);
      published += chunk.length;
      for (const m of chunk) bytes += m.payload.length;
      if (performance.now() - lastReport > 5000 || published === d.events) {
        lastReport = performance.now();
        const rate = published / ((lastReport - startedAt) / 1000);
        progress(`filling the stream: ${fmt(published)} / ${fmt(d.events)} readings (${fmt(rate)}/s)`);
      }
    }
  } finally {
    await nc.close();
  }
  const seconds = (performance.now() - startedAt) / 1000;
  return { count: published, seconds, perSecond: published / seconds, bytes };
}

/** Every message of the stream once, in order, through an ordered consumer (what the rebuild reads with). */
export async function readStream(env: BenchEnv, stream: string, total: number): Promise<Timed> {
  const consumer = await jetstream(env.nc).consumers.get(stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: 1 });
  const startedAt = performance.now();
  const messages = await consumer.consume({ max_messages: 10_000 });
  let seen = 0;
  let bytes = 0;
  for await (const m of messages) {
    seen++;
    bytes += m.data.length;
    if (seen === total) break;
  }
  await messages.close();
  const seconds = (performance.now() - startedAt) / 1000;
  if (bytes === 0) throw new Error('read no bytes from the stream');
  return { count: seen, seconds, perSecond: seen / seconds };
}
