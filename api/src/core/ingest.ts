/**
 * Batch ingest over HTTP (recordReadings; the REST manual endpoint calls it too): every
 * reading is checked first, and one bad reading refuses the whole batch, naming it, before
 * anything is published. Then one ReadingRecorded event per reading goes to its device's
 * subject, a bounded number awaiting their ack at once, and the answer comes when JetStream
 * has acknowledged them all. It does not wait for the projector: the readings are queryable
 * once projected (systemStatus.projectorPosition reaches lastSequence; readingRecorded shows
 * them arrive).
 */
import { createHash, randomUUID } from 'node:crypto';
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { TimeoutError } from '@nats-io/transport-node';
import type { ReadingData, ReadingRecorded } from '../../../schema/src/index.ts';
import { publishEvent } from '../../../schema/src/publish.ts';
import { apiMetrics } from '../metrics.ts';
import type { Principal } from './auth/roles.ts';
import { badInput, CoreError } from './errors.ts';
import { requirePermission } from './permissions.ts';
import { validateReading, type ReadingInput } from './readings/input.ts';

export const MAX_BATCH_READINGS = 1000;

/** One metric update per batch: readings stored, and retried ones JetStream already had. */
function countIngested(acks: ReadonlyArray<PubAck | undefined>): void {
  let stored = 0;
  let duplicates = 0;
  for (const ack of acks) {
    if (ack?.duplicate) duplicates += 1;
    else if (ack) stored += 1;
  }
  if (stored) apiMetrics.ingestedReadings.inc({ outcome: 'stored' }, stored);
  if (duplicates) apiMetrics.ingestedReadings.inc({ outcome: 'duplicate' }, duplicates);
}

export interface IngestSettings {
  prefix: string;
  /** How far a reading's timestamp may lie ahead of now. */
  maxFutureMs: number;
  /** Publishes awaiting their JetStream ack at most (default 256). */
  maxInFlight?: number;
  /** Tries per event when JetStream does not answer in time, each with the same Nats-Msg-Id (default 3). */
  publishAttempts?: number;
}

export interface IngestRequest {
  readings: readonly ReadingInput[];
  /** The client's name for this batch: a retry with the same one is stored once (JetStream's duplicate window, 2 min). */
  batchId?: string | null;
}

export interface IngestResult {
  accepted: number;
  /** Of the accepted, how many the stream already held from an earlier try of the same batch. */
  duplicates: number;
  /** Stream sequences of the first and last event stored (other publishers' events may lie between). */
  firstSequence: number;
  lastSequence: number;
}

/** Event ids: derived from the caller and batchId, so a retried batch carries the same Nats-Msg-Ids; else random. */
function eventIds(caller: Principal, count: number, batchId: string | null | undefined): string[] {
  if (batchId == null) return Array.from({ length: count }, () => randomUUID());
  if (batchId.length < 1 || batchId.length > 200) throw badInput('batchId must be 1–200 characters', 'batchId');
  const batch = createHash('sha256').update(`${caller.userId}\n${batchId}`).digest('hex').slice(0, 40);
  return Array.from({ length: count }, (_, index) => `batch-${batch}-${index}`);
}

/** Every reading valid, or the first bad one named by its index (counting from 0) with the field and why. */
function validateBatch(readings: readonly ReadingInput[], nowMs: number, maxFutureMs: number) {
  if (!Array.isArray(readings)) throw badInput('readings must be a list of readings', 'readings');
  if (readings.length < 1 || readings.length > MAX_BATCH_READINGS) {
    throw badInput(`a batch holds 1 to ${MAX_BATCH_READINGS} readings, not ${readings.length}`, 'readings');
  }
  return readings.map((input, index) => {
    try {
      return validateReading(input, nowMs, maxFutureMs);
    } catch (error) {
      if (!(error instanceof CoreError)) throw error;
      throw new CoreError(error.code, `reading ${index}: ${error.message}`, { ...error.details, index });
    }
  });
}

export class ReadingIngest {
  private readonly maxInFlight: number;
  private readonly publishAttempts: number;

  constructor(
    private readonly js: JetStreamClient,
    private readonly settings: IngestSettings,
    private readonly clock: () => number,
  ) {
    this.maxInFlight = settings.maxInFlight ?? 256;
    this.publishAttempts = settings.publishAttempts ?? 3;
  }

  async record(caller: Principal | null, request: IngestRequest): Promise<IngestResult> {
    const principal = requirePermission(caller, 'recordReadings');
    const now = this.clock();
    return this.publishReadings(principal, validateBatch(request.readings, now, this.settings.maxFutureMs), request.batchId, now);
  }

  /** One reading (the REST manual endpoint): the same rules and path as a batch, its errors not prefixed with an index. */
  async recordOne(caller: Principal | null, reading: ReadingInput, batchId?: string | null): Promise<IngestResult> {
    const principal = requirePermission(caller, 'recordReadings');
    const now = this.clock();
    return this.publishReadings(principal, [validateReading(reading, now, this.settings.maxFutureMs)], batchId, now);
  }

  private async publishReadings(principal: Principal, readings: ReadingData[], batchId: string | null | undefined, now: number): Promise<IngestResult> {
    const ids = eventIds(principal, readings.length, batchId);
    const occurredAt = new Date(now).toISOString();
    const events = readings.map((data, index): ReadingRecorded => ({ type: 'ReadingRecorded', version: 1, id: ids[index]!, occurredAt, actor: principal.username, data }));

    const { acks, failure } = await this.publishAll(events);
    countIngested(acks);
    if (failure) {
      const stored = acks.filter(Boolean).length;
      const retry = batchId == null ? 'send a batchId, so that a retry stores each reading once' : 'retry with the same batchId to store the rest, each once';
      throw new CoreError(
        'SERVICE_UNAVAILABLE',
        `the batch could not be recorded whole because the event stream did not acknowledge every reading (${(failure as Error).message}); ${stored} of ${events.length} were stored: ${retry}`,
        { stored },
      );
    }
    const sequences = acks.map((ack) => ack!.seq);
    return {
      accepted: acks.length,
      duplicates: acks.filter((ack) => ack!.duplicate).length,
      firstSequence: Math.min(...sequences),
      lastSequence: Math.max(...sequences),
    };
  }

  /**
   * Publishes in order with at most maxInFlight unacknowledged (one connection keeps them
   * in order in the stream); after a failure it starts no more and waits for those in flight.
   */
  private async publishAll(events: readonly ReadingRecorded[]): Promise<{ acks: Array<PubAck | undefined>; failure: unknown }> {
    const acks: Array<PubAck | undefined> = new Array<PubAck | undefined>(events.length).fill(undefined);
    let next = 0;
    let failure: unknown = null;
    const lane = async () => {
      while (failure === null && next < events.length) {
        const index = next++;
        try {
          acks[index] = await this.publishOne(events[index]!);
        } catch (error) {
          failure ??= error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.maxInFlight, events.length) }, lane));
    return { acks, failure };
  }

  /** A timed-out publish is tried again with the same id: if the first one was stored after all, the stream keeps one. */
  private async publishOne(event: ReadingRecorded): Promise<PubAck> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await publishEvent(this.js, this.settings.prefix, event);
      } catch (error) {
        if (!(error instanceof TimeoutError) || attempt >= this.publishAttempts) throw error;
      }
    }
  }
}
