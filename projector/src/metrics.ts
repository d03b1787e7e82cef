/**
 * The projector's Prometheus metrics. On the hot path only one histogram sample and two
 * counter increments per batch; the rest is read when Prometheus scrapes: the projector's
 * stats, and its position (stream head, checkpoint, lag) from NATS and Postgres.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../../schema/src/metrics.ts';
import type { RejectReason } from '../../schema/src/index.ts';
import type { ProjectorStats } from './projector.ts';

export interface Position {
  streamHead: number;
  checkpoint: number;
}

export interface BatchSample {
  seconds: number;
  /** ReadingRecorded events applied. */
  readings: number;
  /** How far the checkpoint moved: every event the batch disposed of (applied or dead-lettered). */
  events: number;
  deadLetters: readonly { reason: RejectReason }[];
}

export class ProjectorMetrics {
  private readonly batchDuration: Histogram;
  private readonly readings: Counter;
  private readonly events: Counter;
  private readonly deadLetters: Counter<'reason'>;

  constructor(readonly registry: Registry) {
    const registers = [registry];
    this.batchDuration = new Histogram({
      name: `${METRIC_PREFIX}projector_batch_duration_seconds`,
      help: 'Time to apply one batch: decode, one Postgres transaction (rows and checkpoint), dead letters, ack',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.readings = new Counter({ name: `${METRIC_PREFIX}projector_readings_total`, help: 'Readings (ReadingRecorded events) written to the read model', registers });
    this.events = new Counter({ name: `${METRIC_PREFIX}projector_events_total`, help: 'Stream messages the projector has disposed of (applied or dead-lettered)', registers });
    this.deadLetters = new Counter({
      name: `${METRIC_PREFIX}projector_dead_letters_total`,
      help: 'Events refused by validation and sent to the dead-letter stream, by reason',
      labelNames: ['reason'],
      registers,
    });
  }

  recordBatch(sample: BatchSample): void {
    this.batchDuration.observe(sample.seconds);
    if (sample.readings) this.readings.inc(sample.readings);
    if (sample.events) this.events.inc(sample.events);
    for (const letter of sample.deadLetters) this.deadLetters.inc({ reason: letter.reason });
  }

  /** Gauges read at scrape time: whether this instance leads, its restarts, and the lag behind the stream. */
  observe(stats: () => ProjectorStats, position: () => Promise<Position>): void {
    const registers = [this.registry];
    new Gauge({
      name: `${METRIC_PREFIX}projector_leader`,
      help: '1 while this instance holds the projector lock and applies events, 0 on standby',
      registers,
      collect() {
        this.set(stats().leader ? 1 : 0);
      },
    });
    new Counter({
      name: `${METRIC_PREFIX}projector_restarts_total`,
      help: 'Projector runs that failed and restarted from the checkpoint',
      registers,
      collect() {
        this.reset();
        this.inc(stats().restarts);
      },
    });
    // One read of NATS and Postgres per scrape serves the three position gauges.
    let pending: Promise<Position | null> | null = null;
    const read = () =>
      (pending ??= position()
        .catch(() => null)
        .finally(() => setTimeout(() => (pending = null), 0)));
    const positionGauge = (name: string, help: string, pick: (p: Position) => number) =>
      new Gauge({
        name: `${METRIC_PREFIX}${name}`,
        help,
        registers,
        async collect() {
          const p = await read();
          this.set(p ? pick(p) : Number.NaN);
        },
      });
    positionGauge('stream_head_sequence', 'Sequence of the last message in the domain stream (its rate is the ingest rate of every path)', (p) => p.streamHead);
    positionGauge('projector_checkpoint_sequence', 'Last stream sequence the read model has applied (the checkpoint in Postgres)', (p) => p.checkpoint);
    positionGauge('projector_lag_events', 'Stream head minus the checkpoint: events recorded but not yet in the read model', (p) => Math.max(0, p.streamHead - p.checkpoint));
  }
}
