/**
 * JetStream publishing with acks: at most `maxInFlight` un-acked publishes; a
 * failed or timed-out publish is retried with the same Nats-Msg-Id (the server
 * stores it once) with backoff, until it is acked or the connection is closed.
 * An event handed to the publisher is never dropped while the connection lives.
 */
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import type { EventType } from '../../schema/src/events.ts';
import { headers } from '../../schema/src/subjects.ts';
import { Fifo } from './fifo.ts';

export interface OutgoingEvent {
  subject: string;
  id: string;
  /** The Nats-Msg-Id, when it is not the event id. */
  msgId?: string;
  type: EventType;
  version: number;
  payload: Uint8Array;
}

export interface PublisherOptions {
  maxInFlight: number;
  /** Events waiting for a window slot; beyond this the publisher reports itself saturated. */
  maxQueued: number;
  ackTimeoutMs: number;
  onAck?: (eventId: string, ack: PubAck) => void;
}

export interface PublisherCounters {
  /** Acked by the stream (a duplicate ack included: the event is stored). */
  published: number;
  /** Acks the server marked duplicate: a retry of an event it had already stored. */
  duplicates: number;
  inFlight: number;
  queued: number;
  retries: number;
  errors: number;
  lastError: string | null;
}

/** 100 ms, doubling, at most 2 s: quick to recover after a short outage without hammering a struggling server. */
export function retryDelayMs(failures: number): number {
  return Math.min(100 * 2 ** (failures - 1), 2000);
}

export class EventPublisher {
  private readonly queue = new Fifo<OutgoingEvent>();
  private inFlight = 0;
  private published = 0;
  private duplicates = 0;
  private retries = 0;
  private errors = 0;
  private lastError: string | null = null;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly options: PublisherOptions,
  ) {}

  /** Window full and queue at its bound: the caller should generate nothing more for now. */
  get saturated(): boolean {
    return this.inFlight >= this.options.maxInFlight && this.queue.length >= this.options.maxQueued;
  }

  enqueue(event: OutgoingEvent): void {
    this.queue.push(event);
    this.fillWindow();
  }

  counters(): PublisherCounters {
    const { published, duplicates, inFlight, retries, errors, lastError } = this;
    return { published, duplicates, inFlight, queued: this.queue.length, retries, errors, lastError };
  }

  /** Resolves true once every event handed over is acked, or false after `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.isIdle()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.idleWaiters.push(waiter);
    });
  }

  private isIdle(): boolean {
    return this.inFlight === 0 && this.queue.length === 0;
  }

  private fillWindow(): void {
    while (this.inFlight < this.options.maxInFlight && !this.nc.isClosed()) {
      const event = this.queue.shift();
      if (!event) return;
      this.inFlight++;
      this.send(event, 0);
    }
  }

  /** The event keeps its window slot through every retry, so the window bounds un-acked events, not attempts. */
  private send(event: OutgoingEvent, failures: number): void {
    const h = natsHeaders();
    h.set(headers.eventType, event.type);
    h.set(headers.eventVersion, String(event.version));
    this.js
      .publish(event.subject, event.payload, { msgID: event.msgId ?? event.id, headers: h, timeout: this.options.ackTimeoutMs })
      .then(
        (ack) => this.acked(event, ack),
        (error: unknown) => this.failed(event, failures + 1, error),
      );
  }

  private acked(event: OutgoingEvent, ack: PubAck): void {
    this.inFlight--;
    this.published++;
    if (ack.duplicate) this.duplicates++;
    this.options.onAck?.(event.id, ack);
    this.fillWindow();
    if (this.isIdle()) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const waiter of waiters) waiter();
    }
  }

  private failed(event: OutgoingEvent, failures: number, error: unknown): void {
    this.errors++;
    this.lastError = error instanceof Error ? error.message : String(error);
    // A closed connection delivers nothing again; the event stays counted in flight, un-acked.
    if (this.nc.isClosed()) return;
    setTimeout(() => {
      this.retries++;
      this.send(event, failures);
    }, retryDelayMs(failures));
  }
}
