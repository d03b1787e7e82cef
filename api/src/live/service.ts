/**
 * Live feeds for subscriptions, transport-free (graphql-ws and SSE both come here):
 * readings as they are recorded, resumable from a stream sequence with no gap and no
 * duplicate, and changes to readings once the projector has applied them.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import { decodeStored, storedAtMs, type DomainEvent, type ReadingFilter, type ReadingRecorded, type ReadingsChangeEvent, type StoredMessage, type StreamNames } from '../../../schema/src/index.ts';
import type { Logger } from '../../../schema/src/log.ts';
import type { Principal } from '../core/auth/roles.ts';
import { CoreError, unauthenticated } from '../core/errors.ts';
import { allows } from '../core/permissions.ts';
import type { ChangeWaiter } from '../core/readings/change-waiter.ts';
import type { ReadingRow } from '../core/readings/queries.ts';
import { apiMetrics } from '../metrics.ts';
import { BoundedQueue } from './bounded-queue.ts';
import { DeviceStatusWatcher, type DeviceStatusChange } from './device-status.ts';
import { filtersOverlap, inTimeRange, readingKeys, replaySubject, subscriptionKey } from './filters.ts';
import { replayMessages } from './replay.ts';
import { SharedStream, type Sequenced } from './shared-stream.ts';

export interface LiveSettings {
  names: StreamNames;
  clock: () => number;
  maxFutureMs: number;
  /** Undelivered events a subscriber may have before it is cut off. */
  bufferLimit: number;
}

export interface ReadingsChange {
  sequence: number;
  kind: 'EDITED' | 'DELETED' | 'RESTORED';
  event: ReadingsChangeEvent;
  affected: number;
}

export interface Subscriber {
  caller: Principal;
  /** When the caller's credential expires: the feed ends then. */
  expiresAt: Date | null;
  /** The subscribing operation's request id, for the log line should the subscriber be cut off. */
  requestId?: string;
}

const KIND = { ReadingsEdited: 'EDITED', ReadingsDeleted: 'DELETED', ReadingsRestored: 'RESTORED' } as const;
const isReadingsChange = (event: DomainEvent): event is ReadingsChangeEvent => event.type in KIND;

export function readingRowOf({ sequence, event }: Sequenced<ReadingRecorded>): ReadingRow {
  const d = event.data;
  return {
    id: String(sequence),
    sensorType: d.sensorType,
    value: d.value,
    deviceCode: d.deviceCode,
    deviceNumber: d.deviceNumber,
    timestamp: new Date(d.timestamp).toISOString(),
    seq: d.seq ?? null,
    recordedAt: new Date(event.occurredAt).toISOString(),
    updatedAt: null,
    updatedBy: null,
    deletedAt: null,
    deletedBy: null,
    restoredAt: null,
    restoredBy: null,
    version: 0,
  };
}

/** A queue's events until it ends; the queue is ended however the iteration stops. */
export async function* drain<T>(queue: BoundedQueue<T>): AsyncGenerator<T> {
  try {
    yield* queue;
  } finally {
    await queue.return();
  }
}

/**
 * The feed, ending its queue as soon as the consumer returns (the client unsubscribed or went
 * away). An async generator parked awaiting its queue handles return() only once the next event
 * arrives, so without this a subscriber that left would stay registered, buffered and counted
 * until an event matching its filter came — for a quiet filter, for good.
 */
export function endingWith<T>(queue: { return(): unknown }, feed: AsyncGenerator<T>): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    next: () => feed.next(),
    return: (value?: unknown) => {
      void queue.return();
      return feed.return(value as T);
    },
    throw: (error?: unknown) => {
      void queue.return();
      return feed.throw(error);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

export class LiveService {
  readonly readings: SharedStream<ReadingRecorded>;
  readonly changes: SharedStream<ReadingsChange>;
  readonly deviceStatus: DeviceStatusWatcher;
  private readonly active = new Set<BoundedQueue<unknown>>();
  dropped = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly db: pg.Pool,
    private readonly waiter: ChangeWaiter,
    private readonly settings: LiveSettings,
    private readonly logger: Logger,
  ) {
    const { names, maxFutureMs } = settings;
    this.deviceStatus = new DeviceStatusWatcher(db, settings.clock, logger);
    this.readings = new SharedStream<ReadingRecorded>(
      nc,
      {
        stream: names.stream,
        subject: `${names.prefix}.reading.>`,
        // The projector's own rule: only events it would accept are shown live.
        decode: (message) => {
          const decoded = decodeStored(message, { maxFutureMs, prefix: names.prefix });
          return decoded.ok && decoded.event.type === 'ReadingRecorded' ? decoded.event : null;
        },
        keysOf: (event) => readingKeys(event.data),
      },
      logger,
    );
    this.changes = new SharedStream<ReadingsChange>(
      nc,
      {
        stream: names.stream,
        subject: `${names.prefix}.readings.>`,
        decode: (message) => this.appliedChange(message),
        keysOf: () => ['*'],
      },
      logger,
    );
  }

  /** A change event, once the projector has applied it; null if it touched nothing (or never got applied). */
  private async appliedChange(message: StoredMessage): Promise<ReadingsChange | null> {
    const sequence = message.sequence;
    const decoded = decodeStored(message, { maxFutureMs: this.settings.maxFutureMs, prefix: this.settings.names.prefix });
    if (!decoded.ok || !isReadingsChange(decoded.event)) return null;
    const event = decoded.event;
    const result = await this.waiter.wait(event.data.commandId, 30_000, Promise.resolve());
    if (!result || result.affected === 0 || result.sequence !== sequence) return null;
    return { sequence, kind: KIND[event.type], event, affected: result.affected };
  }

  get activeSubscriptions(): number {
    return this.active.size;
  }

  /** A subscriber's bounded buffer, counted as a live subscription, ended when the credential expires (also used by live/alarms.ts). */
  openQueue<T>(subscriber: Subscriber): BoundedQueue<T> {
    const queue = new BoundedQueue<T>(this.settings.bufferLimit, () => {
      this.dropped += 1;
      apiMetrics.slowClientsDropped.inc();
      this.logger.warn({ requestId: subscriber.requestId, userId: subscriber.caller.userId, limit: this.settings.bufferLimit }, 'slow subscriber cut off');
      return new CoreError('TOO_MANY_REQUESTS', `subscription ended: the client fell more than ${this.settings.bufferLimit} events behind; resubscribe with afterSequence to resume`);
    });
    this.active.add(queue as BoundedQueue<unknown>);
    apiMetrics.subscriptions.inc();
    queue.onEnd(() => {
      this.active.delete(queue as BoundedQueue<unknown>);
      apiMetrics.subscriptions.dec();
    });
    if (subscriber.expiresAt) {
      const timer = setTimeout(() => queue.fail(unauthenticated('access token expired: the subscription has ended; reconnect with a fresh token')), Math.max(0, subscriber.expiresAt.getTime() - Date.now()));
      queue.onEnd(() => clearTimeout(timer));
    }
    return queue;
  }

  /** Ids among `ids` that are deleted now: withheld from callers who may not see deleted data. */
  private async deletedAmong(ids: number[]): Promise<Set<number>> {
    const result = await this.db.query<{ id: string }>('SELECT id::text FROM readings WHERE id = ANY($1::bigint[]) AND deleted_at IS NOT NULL', [ids]);
    return new Set(result.rows.map((r) => Number(r.id)));
  }

  private async streamHead(): Promise<number> {
    return (await (await jetstreamManager(this.nc)).streams.info(this.settings.names.stream)).state.last_seq;
  }

  readingRecorded(subscriber: Subscriber, filter: ReadingFilter, afterSequence: number | null): AsyncIterableIterator<ReadingRow> {
    const queue = this.openQueue<Sequenced<ReadingRecorded>>(subscriber);
    return endingWith(queue, this.readingRecordedFeed(queue, subscriber, filter, afterSequence));
  }

  private async *readingRecordedFeed(queue: BoundedQueue<Sequenced<ReadingRecorded>>, subscriber: Subscriber, filter: ReadingFilter, afterSequence: number | null): AsyncGenerator<ReadingRow> {
    try {
      let last = afterSequence ?? 0;
      if (afterSequence !== null) {
        // Far behind: catch up from the stream alone first, so that live events do not pile up in
        // the buffer meanwhile (and cut off a client that is only resuming).
        for (let head = await this.streamHead(); head - last > this.settings.bufferLimit / 2 && !queue.closed; head = await this.streamHead()) {
          last = yield* this.replay(subscriber, filter, last, head, queue);
        }
      }
      // Live first, then the replay up to the head as it stands once live delivery is certain:
      // everything later arrives live; the overlap is dropped by sequence.
      const unsubscribe = this.readings.subscribe(subscriptionKey(filter), (e) => {
        if (inTimeRange(filter, e.event.data.timestamp)) queue.push(e);
      });
      queue.onEnd(unsubscribe);
      if (afterSequence !== null) {
        await this.readings.ready;
        last = yield* this.replay(subscriber, filter, last, await this.streamHead(), queue);
      }
      for await (const live of queue) {
        if (live.sequence > last) yield readingRowOf(live);
      }
    } finally {
      await queue.return();
    }
  }

  /**
   * The matching readings stored in (after, until], from the stream; returns the sequence it
   * got to. Stops early once the subscriber's queue has ended (cut off, expired), so that the
   * caller reports why at once instead of after the whole replay.
   */
  private async *replay(subscriber: Subscriber, filter: ReadingFilter, after: number, until: number, queue: { readonly closed: boolean }): AsyncGenerator<ReadingRow, number> {
    const seesDeleted = allows(subscriber.caller.role, 'readDeletedReadings');
    let last = after;
    for await (const batch of replayMessages(this.nc, this.settings.names.stream, replaySubject(this.settings.names.prefix, filter), after, until)) {
      const readings: Sequenced<ReadingRecorded>[] = [];
      for (const message of batch) {
        const decoded = decodeStored(
          { subject: message.subject, data: message.data, sequence: message.seq, storedAtMs: storedAtMs(message.timestampNanos) },
          { maxFutureMs: this.settings.maxFutureMs, prefix: this.settings.names.prefix },
        );
        if (decoded.ok && decoded.event.type === 'ReadingRecorded' && inTimeRange(filter, decoded.event.data.timestamp)) readings.push({ sequence: message.seq, event: decoded.event });
      }
      const hidden = seesDeleted || readings.length === 0 ? new Set<number>() : await this.deletedAmong(readings.map((r) => r.sequence));
      for (const reading of readings) if (!hidden.has(reading.sequence)) yield readingRowOf(reading);
      last = Math.max(last, batch.at(-1)!.seq);
      if (queue.closed) return last;
    }
    return Math.max(last, until);
  }

  readingsChanged(subscriber: Subscriber, filter: ReadingFilter): AsyncIterableIterator<ReadingsChange> {
    const queue = this.openQueue<ReadingsChange>(subscriber);
    const unsubscribe = this.changes.subscribe('*', (e) => {
      if (filtersOverlap(e.event.event.data.filter, filter)) queue.push(e.event);
    });
    queue.onEnd(unsubscribe);
    return endingWith(queue, drain(queue));
  }

  deviceStatusChanged(subscriber: Subscriber, filter: { deviceCode?: string; deviceNumber?: number; status?: string }): AsyncIterableIterator<DeviceStatusChange> {
    const queue = this.openQueue<DeviceStatusChange>(subscriber);
    const unsubscribe = this.deviceStatus.subscribe((change) => {
      const d = change.device;
      if (filter.deviceCode !== undefined && d.deviceCode !== filter.deviceCode) return;
      if (filter.deviceNumber !== undefined && d.deviceNumber !== filter.deviceNumber) return;
      if (filter.status !== undefined && d.status !== filter.status) return;
      queue.push(change);
    });
    queue.onEnd(unsubscribe);
    return endingWith(queue, drain(queue));
  }

  async stop(): Promise<void> {
    this.deviceStatus.stop();
    for (const queue of this.active) queue.fail(new CoreError('SERVICE_UNAVAILABLE', 'the server is shutting down; reconnect to resume'));
    await Promise.all([this.readings.stop(), this.changes.stop()]);
  }
}
