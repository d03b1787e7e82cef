/**
 * One simulator instance: a fleet of devices of one sensor type, measuring on a
 * schedule and publishing each reading as a ReadingRecorded event.
 */
import { jetstream, type PubAck } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { SensorType } from '../../schema/src/sensors.ts';
import { createFleet, measure } from './fleet.ts';
import { EventPublisher } from './publisher.ts';
import type { Rng } from './random.ts';
import { outgoingReading, readingRecorded } from './reading.ts';
import { Schedule } from './schedule.ts';

export interface SimulatorConfig {
  /** `sim-<type>-<random>`, drawn at every start; part of every event id. */
  simulatorId: string;
  sensorType: SensorType;
  devices: number;
  /** Per-device interval between readings, at start (`setInterval` changes it). */
  intervalMs: number;
  subjectPrefix: string;
  maxInFlight: number;
  /** Generated readings waiting for a window slot; beyond this, due devices skip a measurement. */
  maxQueued: number;
  /** How long to wait for a publish ack before retrying it. */
  ackTimeoutMs: number;
  /** How often the scheduler wakes to emit the devices that became due. */
  tickMs: number;
}

export interface SimulatorDeps {
  nc: NatsConnection;
  /** Wall-clock milliseconds: readings carry it as their time. */
  clock: () => number;
  /** Seeded: draws the devices and each device's own value generator. */
  rng: Rng;
  /** Told of every acked reading (tests use it to check nothing acked went missing). */
  onAck?: (eventId: string, ack: PubAck) => void;
}

export interface SimulatorStats {
  simulatorId: string;
  sensorType: SensorType;
  devices: number;
  intervalMs: number;
  running: boolean;
  /** Readings measured (a seq handed out). */
  generated: number;
  /** Readings acked by the stream. */
  published: number;
  /** Acks for a retry of a reading the stream already had. */
  duplicates: number;
  inFlight: number;
  queued: number;
  retries: number;
  errors: number;
  lastError: string | null;
  /** Measurements not taken: publisher saturated (NATS slow or away), or the scheduler stalled past a whole interval. */
  skipped: number;
  /** Ticks whose earliest due reading was emitted late by more than two ticks. */
  lateTicks: number;
}

export interface Simulator {
  /** Starts measuring; the schedule begins at the current time. */
  start(): void;
  /** Stops measuring and waits up to `drainTimeoutMs` for every reading to be acked; true if all were. */
  stop(drainTimeoutMs?: number): Promise<boolean>;
  /**
   * Changes the per-device interval (whole ms, at least 1: the bounds for people are the caller's).
   * A running simulator switches at its next tick, keeping the devices evenly phased; a stopped one
   * measures at the new interval when started.
   */
  setInterval(intervalMs: number): void;
  stats(): SimulatorStats;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

export function buildSimulator(config: SimulatorConfig, deps: SimulatorDeps): Simulator {
  const fleet = createFleet(config.sensorType, config.devices, deps.rng);
  const publisher = new EventPublisher(deps.nc, jetstream(deps.nc), {
    maxInFlight: config.maxInFlight,
    maxQueued: config.maxQueued,
    ackTimeoutMs: config.ackTimeoutMs,
    onAck: deps.onAck,
  });
  const lateToleranceMs = 2 * config.tickMs;
  let intervalMs = config.intervalMs;
  let timer: NodeJS.Timeout | undefined;
  let schedule: Schedule | undefined;
  /** An interval set while running, for the next tick to switch to. */
  let nextIntervalMs: number | null = null;
  let generated = 0;
  let skipped = 0;
  let lateTicks = 0;

  function tick(): void {
    if (!schedule) return;
    const now = deps.clock();
    if (nextIntervalMs !== null) {
      schedule = schedule.withInterval(nextIntervalMs, now);
      nextIntervalMs = null;
    }
    const due = schedule.take(now);
    skipped += due.overdue;
    if (due.lagMs > lateToleranceMs) lateTicks++;
    const occurredAt = new Date(now).toISOString();
    for (let slot = due.from; slot < due.to; slot++) {
      if (publisher.saturated) {
        // Acks arrive only between ticks, so the rest of this tick would be refused too. No seq is spent.
        skipped += due.to - slot;
        return;
      }
      // The reading's time is when the device was due, so a late tick does not bunch timestamps together.
      const measuredAt = new Date(schedule.dueAt(slot)).toISOString();
      const event = readingRecorded(config.simulatorId, config.sensorType, measure(fleet, schedule.deviceOf(slot)), measuredAt, occurredAt);
      publisher.enqueue(outgoingReading(config.subjectPrefix, event));
      generated++;
    }
  }

  return {
    start() {
      if (timer) return;
      schedule = new Schedule(config.devices, intervalMs, deps.clock());
      nextIntervalMs = null;
      timer = setInterval(tick, config.tickMs);
    },
    async stop(drainTimeoutMs = DEFAULT_DRAIN_TIMEOUT_MS) {
      clearInterval(timer);
      timer = undefined;
      schedule = undefined;
      return publisher.whenIdle(drainTimeoutMs);
    },
    setInterval(ms) {
      if (!Number.isInteger(ms) || ms < 1) throw new RangeError(`interval must be a whole number of milliseconds, at least 1; got ${ms}`);
      intervalMs = ms;
      if (schedule) nextIntervalMs = ms;
    },
    stats() {
      return {
        simulatorId: config.simulatorId,
        sensorType: config.sensorType,
        devices: config.devices,
        intervalMs,
        running: timer !== undefined,
        generated,
        skipped,
        lateTicks,
        ...publisher.counters(),
      };
    },
  };
}
