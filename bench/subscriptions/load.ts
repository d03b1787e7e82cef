/**
 * A load process of the subscriptions benchmark: `node --import tsx load.ts <config.json>`.
 * Opens graphql-ws subscriptions to the API (each filtered to one device), ramping up at
 * a set rate, and notes for every reading it receives the stream sequence and the
 * latency (receive time − the reading's recordedAt, which the simulator stamps when it
 * publishes; same machine, same clock). Optionally reads the same readings straight from
 * JetStream for the latency floor. Prints a status line a second; on SIGTERM writes what
 * it received to the result file and exits.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { STATUS_PREFIX, type LoadConfig, type LoadResult, type LoadStatus } from './protocol.ts';

const SUBSCRIPTION = 'subscription Bench($filter: ReadingFilter) { readingRecorded(filter: $filter) { sequence value timestamp recordedAt } }';
const RAMP_TICK_MS = 20;

interface Reading {
  readingRecorded: { sequence: string; value: number; timestamp: string; recordedAt: string };
}

const configFile = process.argv[2];
if (!configFile) {
  process.stderr.write('usage: load.ts <config.json>\n');
  process.exit(64);
}
const config = JSON.parse(readFileSync(configFile, 'utf8')) as LoadConfig;
const startedAt = performance.now();

const deliveries: number[] = [];
const baseline: number[] = [];
const failures: Record<number, string> = {};
const closeCodes: Record<string, number> = {};
const seen = new Uint8Array(config.subscriptions.length);
const counters = { subscribed: 0, connected: 0, closed: 0, live: 0, received: 0, failed: 0, baselineReceived: 0 };
const clients: Client[] = [];

/** WebSockets opened whose server has not yet acknowledged `connection_init` (nor closed them). */
let pendingConnections = 0;

function openClient(): Client {
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    pendingConnections--;
  };
  pendingConnections++;
  return createClient({
    url: config.url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${config.token}` },
    retryAttempts: 0,
    lazy: true,
    on: {
      connected: () => {
        counters.connected++;
        settle();
      },
      closed: (event) => {
        settle();
        counters.closed++;
        const code = String((event as { code?: number }).code ?? 'unknown');
        closeCodes[code] = (closeCodes[code] ?? 0) + 1;
      },
    },
  });
}

function describe(error: unknown): string {
  if (Array.isArray(error)) return error.map((e: { message?: string }) => e.message ?? String(e)).join('; ');
  if (error instanceof Error) return error.message;
  // graphql-ws hands over the socket's close or error event.
  const event = error as { code?: number; reason?: string; message?: string; error?: { code?: string; message?: string } };
  if (event.code !== undefined) return `closed ${event.code} ${event.reason ?? ''}`.trim();
  const cause = event.error?.code ?? event.error?.message ?? event.message;
  return cause ? `socket error: ${cause}` : JSON.stringify(error);
}

function subscribe(slot: number): void {
  const { index, device } = config.subscriptions[slot]!;
  const connection = Math.floor(slot / config.perConnection);
  const client = (clients[connection] ??= openClient());
  counters.subscribed++;
  client.subscribe<Reading>(
    { query: SUBSCRIPTION, variables: { filter: device } },
    {
      next: (result) => {
        const now = Date.now();
        const reading = result.data?.readingRecorded;
        if (!reading) {
          failures[index] ??= describe(result.errors ?? 'a result without data');
          return;
        }
        counters.received++;
        if (!seen[slot]) {
          seen[slot] = 1;
          counters.live++;
        }
        deliveries.push(index, Number(reading.sequence), now, now - Date.parse(reading.recordedAt));
      },
      error: (error) => {
        counters.failed++;
        failures[index] ??= describe(error);
      },
      complete: () => undefined,
    },
  );
}

/**
 * Starts `rampPerSecond` subscriptions a second, in small steps, until all are open; holds
 * back while `maxPendingConnections` WebSockets wait for the server's acknowledgement, so a
 * slow server is not flooded with handshakes (clients with backoff behave the same way).
 */
function ramp(): void {
  const perTick = Math.max(1, Math.round((config.rampPerSecond * RAMP_TICK_MS) / 1000));
  let next = 0;
  const timer = setInterval(() => {
    const end = Math.min(config.subscriptions.length, next + perTick);
    for (; next < end; next++) {
      const opensConnection = next % config.perConnection === 0;
      if (opensConnection && pendingConnections >= config.maxPendingConnections) break;
      subscribe(next);
    }
    if (next >= config.subscriptions.length) clearInterval(timer);
  }, RAMP_TICK_MS);
}

async function readBaseline(nc: NatsConnection, stream: string, subject: string): Promise<void> {
  const consumer = await jetstream(nc).consumers.get(stream, { filter_subjects: subject, deliver_policy: DeliverPolicy.New });
  const messages = await consumer.consume({ max_messages: 2000 });
  for await (const message of messages) {
    const now = Date.now();
    const { occurredAt } = message.json<{ occurredAt: string }>();
    counters.baselineReceived++;
    baseline.push(message.seq, now - Date.parse(occurredAt));
  }
}

function status(): LoadStatus {
  return { t: (performance.now() - startedAt) / 1000, ...counters };
}

let baselineConnection: NatsConnection | null = null;
if (config.baseline) {
  const { natsUrl, stream, subject } = config.baseline;
  baselineConnection = await connect({ servers: natsUrl.split(','), name: 'bench-subscriptions-baseline' });
  void readBaseline(baselineConnection, stream, subject).catch((error: unknown) => process.stderr.write(`baseline reader failed: ${describe(error)}\n`));
}

const statusTimer = setInterval(() => process.stdout.write(`${STATUS_PREFIX}${JSON.stringify(status())}}\n`), 1000);
ramp();

process.once('SIGTERM', () => {
  clearInterval(statusTimer);
  const result: LoadResult = { deliveries, baseline, failures, closeCodes };
  writeFileSync(config.resultFile, JSON.stringify(result));
  process.stdout.write(`${STATUS_PREFIX}${JSON.stringify(status())}}\n`);
  // Exiting closes every socket at once; the API sees the clients leave.
  process.exit(0);
});
