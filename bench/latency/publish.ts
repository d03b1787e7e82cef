/**
 * A paced publisher: `rate` readings a second in ticks of 10 ms, each an acked JetStream
 * publish stamped when it was sent; the ack names its stream sequence.
 */
import { jetstream } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { SensorType } from '../../schema/src/sensors.ts';
import { headers } from '../../schema/src/subjects.ts';
import { readingChunks } from '../ingest/messages.ts';
import { now, Stamps } from './probes.ts';

const TICK_MS = 10;
const TYPES: readonly SensorType[] = ['temperature', 'humidity', 'pressure'];

export interface Published {
  sent: Stamps;
  /** When the stream's ack came back (stored). */
  acked: Stamps;
  count: number;
  errors: number;
  /** The first publish error's message, if any. */
  firstError: string | null;
  /** Ticks that started more than one tick late (the publisher itself fell behind). */
  lateTicks: number;
}

export async function publishPaced(nc: NatsConnection, prefix: string, rate: number, seconds: number): Promise<Published> {
  const js = jetstream(nc);
  const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
  const ticks = Math.ceil((seconds * 1000) / TICK_MS);
  const startMs = Date.now();
  // Measurement times follow the wall clock across the run, as a fleet's would.
  const chunks = readingChunks(prefix, perTick * ticks, perTick, { types: TYPES, devicesPerType: 2000, nowMs: startMs + seconds * 1000, spanMs: seconds * 1000 });
  const sent = new Stamps();
  const acked = new Stamps();
  const pending: Array<Promise<void>> = [];
  let count = 0;
  let errors = 0;
  let firstError: string | null = null;
  let lateTicks = 0;
  const started = performance.now();
  let tick = 0;
  for (const chunk of chunks) {
    const due = started + tick * TICK_MS;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    else if (wait < -TICK_MS) lateTicks++;
    tick++;
    for (const message of chunk) {
      const h = natsHeaders();
      h.set(headers.eventType, message.event.type);
      h.set(headers.eventVersion, String(message.event.version));
      const at = now();
      pending.push(
        js.publish(message.subject, message.payload, { msgID: message.id, headers: h, timeout: 10_000 }).then(
          (ack) => {
            sent.set(ack.seq, at);
            acked.set(ack.seq, now());
            count++;
          },
          (error: unknown) => {
            errors++;
            firstError ??= (error as Error).message;
          },
        ),
      );
    }
    if (pending.length > 50_000) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
  return { sent, acked, count, errors, firstError, lateTicks };
}
