/**
 * `updateReadings` end to end, one call at a time, and where each call's time went, from
 * clocks outside the API: the event's `occurredAt` (set by the API as it builds the event),
 * the time JetStream stored it, and the projector's NOTIFY at commit, heard on a LISTEN
 * connection of our own (the one the API waits for).
 */
import type { JetStreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { CHANGE_APPLIED_CHANNEL } from '../../schema/src/subjects.ts';
import { summarize, type LatencySummary } from './latency.ts';
import { graphql } from './stack.ts';
import { newValue, UPDATE_MUTATION, type ChangeWindow } from './workloads.ts';

export interface UpdateFigures extends LatencySummary {
  size: number;
  windows: number;
  /** Median of each leg, ms (the legs add up to about the median total). */
  legs: { beforePublish: number; publish: number; projector: number; answer: number };
}

/** Epoch milliseconds with sub-millisecond precision. */
const nowMs = () => performance.timeOrigin + performance.now();

/** A JetStream timestamp (RFC 3339 with nanoseconds) in epoch milliseconds, keeping the fraction. */
function natsTimeMs(timestamp: string): number {
  const fraction = timestamp.match(/\.(\d+)/)?.[1] ?? '0';
  const whole = Date.parse(timestamp.replace(/\.\d+/, ''));
  return whole + Number(`0.${fraction}`) * 1000;
}

const median = (values: number[]) => summarize(Float64Array.from(values), 0, 1).p50Ms;

export async function measureUpdates(options: {
  apiUrl: string;
  authorization: string;
  databaseUrl: string;
  jsm: JetStreamManager;
  stream: string;
  windows: ChangeWindow[];
  calls: number;
  size: number;
}): Promise<UpdateFigures> {
  const listener = new pg.Client({ connectionString: options.databaseUrl, application_name: 'bench-listen' });
  const notified = new Map<string, number>();
  listener.on('notification', (n) => n.payload && notified.set(n.payload, nowMs()));
  await listener.connect();
  await listener.query(`LISTEN ${CHANGE_APPLIED_CHANNEL}`);
  const totals: number[] = [];
  const legs = { beforePublish: [] as number[], publish: [] as number[], projector: [] as number[], answer: [] as number[] };
  const warmup = 3;
  try {
    for (let i = 0; i < warmup + options.calls; i++) {
      const w = options.windows[i % options.windows.length]!;
      const sent = nowMs();
      const data = await graphql<{ updateReadings: { affected: number; sequence: string; commandId: string } }>(
        options.apiUrl,
        UPDATE_MUTATION,
        { filter: w.filter, changes: { value: newValue(w, Math.floor(i / options.windows.length)) } },
        options.authorization,
      );
      const answered = nowMs();
      const { affected, sequence, commandId } = data.updateReadings;
      if (affected !== options.size) throw new Error(`updateReadings changed ${affected} readings, expected ${options.size} (filter ${JSON.stringify(w.filter)})`);
      if (i < warmup) continue;
      totals.push(answered - sent);
      const stored = await options.jsm.streams.getMessage(options.stream, { seq: Number(sequence) });
      const committed = notified.get(commandId);
      if (!stored || committed === undefined) continue;
      const occurredAt = Date.parse((stored.json<{ occurredAt: string }>()).occurredAt);
      const storedAt = natsTimeMs(stored.timestamp);
      // occurredAt has whole milliseconds: the first two legs are ±1 ms.
      legs.beforePublish.push(occurredAt - sent);
      legs.publish.push(storedAt - occurredAt);
      legs.projector.push(committed - storedAt);
      legs.answer.push(answered - committed);
    }
  } finally {
    await listener.end();
  }
  const seconds = totals.reduce((a, b) => a + b, 0) / 1000;
  return {
    ...summarize(Float64Array.from(totals), 0, seconds),
    size: options.size,
    windows: options.windows.length,
    legs: { beforePublish: median(legs.beforePublish), publish: median(legs.publish), projector: median(legs.projector), answer: median(legs.answer) },
  };
}
