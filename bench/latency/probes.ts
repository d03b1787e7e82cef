/**
 * The latency benchmark's three observers, each stamping the moment a stream
 * sequence reached it (in epoch milliseconds from the monotonic clock, so the
 * publisher's process and this one share a clock): the read model (the projector's checkpoint, committed in the same
 * transaction as the rows), a graphql-ws subscriber of the API, and a JetStream
 * ordered consumer straight from the stream (the floor under any live feed).
 */
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { createClient } from 'graphql-ws';
import type pg from 'pg';
import WebSocket from 'ws';

/** Now, in epoch milliseconds with sub-millisecond resolution: comparable across processes on one machine. */
export const now = () => performance.timeOrigin + performance.now();

/** Per stream sequence, when something happened to it (0: not yet). Grows as needed. */
export class Stamps {
  constructor(private times = new Float64Array(1 << 16)) {}

  /** The raw stamps, to hand to another process. */
  get buffer(): Float64Array {
    return this.times;
  }

  set(sequence: number, at: number): void {
    if (sequence >= this.times.length) {
      const grown = new Float64Array(Math.max(this.times.length * 2, sequence + 1));
      grown.set(this.times);
      this.times = grown;
    }
    if (this.times[sequence] === 0) this.times[sequence] = at;
  }
  get(sequence: number): number {
    return this.times[sequence] ?? 0;
  }
}

export interface Probe {
  stamps: Stamps;
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the checkpoint every `everyMs`: when it moves from a to b, sequences a+1..b became queryable then. */
export function watchCheckpoint(db: pg.Pool, name: string, everyMs: number): Probe {
  const stamps = new Stamps();
  let running = true;
  const loop = (async () => {
    let last = 0;
    while (running) {
      const result = await db.query<{ last_sequence: string }>('SELECT last_sequence FROM projector_checkpoints WHERE name = $1', [name]);
      const at = now();
      const checkpoint = Number(result.rows[0]?.last_sequence ?? 0);
      for (let s = last + 1; s <= checkpoint; s++) stamps.set(s, at);
      last = Math.max(last, checkpoint);
      await sleep(everyMs);
    }
  })();
  return { stamps, stop: async () => { running = false; await loop; } };
}

/** One graphql-ws client of the API subscribed to every reading. */
export async function subscribeApi(httpUrl: string, token: string): Promise<Probe & { errors: unknown[] }> {
  const stamps = new Stamps();
  const errors: unknown[] = [];
  const client = createClient({ url: httpUrl.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  // Resolves once the server accepted the connection; the operation starts right after, well inside the warm-up.
  const connected = new Promise<void>((resolve) => client.on('connected', () => resolve()));
  const unsubscribe = client.subscribe<{ readingRecorded: { sequence: string } }>(
    { query: 'subscription { readingRecorded { sequence } }' },
    {
      next: (result) => {
        const at = now();
        if (result.errors) errors.push(...result.errors);
        if (result.data) stamps.set(Number(result.data.readingRecorded.sequence), at);
      },
      // A transport failure arrives as a CloseEvent, whose code and reason JSON.stringify would drop.
      error: (error) => errors.push(Array.isArray(error) ? error : { code: (error as { code?: number }).code, reason: String((error as { reason?: string }).reason ?? error) }),
      complete: () => undefined,
    },
  );
  await connected;
  return { stamps, errors, stop: async () => { unsubscribe(); await client.dispose(); } };
}

/** A JetStream ordered consumer of the stream from now on, in this process. */
export async function consumeStream(nc: NatsConnection, stream: string): Promise<Probe> {
  const stamps = new Stamps();
  const consumer = await jetstream(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.New });
  const messages = await consumer.consume();
  const loop = (async () => {
    for await (const m of messages) stamps.set(m.seq, now());
  })();
  return { stamps, stop: async () => { await messages.close(); await loop; } };
}
