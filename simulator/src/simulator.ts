/**
 * One simulator instance: a fleet of devices of one sensor type, measuring on a
 * schedule and publishing each reading as a ReadingRecorded event, and now and then a
 * log line (device-logs.ts). Its devices obey device commands (sleep, wake, an interval
 * of their own, a minimum log level) and, started unassigned, announce themselves and
 * measure nothing until a target is assigned to them.
 */
import { jetstream, type PubAck } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { DomainEvent } from '../../schema/src/events.ts';
import { encodeLogLine, logSubjects } from '../../schema/src/logs.ts';
import type { SensorType } from '../../schema/src/sensors.ts';
import { createLogGenerators, logLineFor, type LogLine } from './device-logs.ts';
import { DeviceStates, outgoingAnnouncement } from './device-state.ts';
import { createFleet, deviceCodeOf, findDevice, measure, type Measurement } from './fleet.ts';
import { EventPublisher } from './publisher.ts';
import type { Rng } from './random.ts';
import { outgoingReading, readingRecorded } from './reading.ts';
import { OwnIntervals, Schedule } from './schedule.ts';

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
  /** Provisioning: every device starts without a target, announces itself and measures nothing until one is assigned. */
  unassigned?: boolean;
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
  /** Devices told to sleep (a SLEEP command not yet followed by a WAKE). */
  sleeping: number;
  /** Devices that announced themselves and wait for a target. */
  awaitingTarget: number;
  /** Log lines published (at or above their device's minimum level). */
  logLines: number;
}

/** The device events a simulator obeys. */
export type DeviceControlEvent = Extract<DomainEvent, { type: 'DeviceCommandIssued' | 'DeviceTargetAssigned' }>;

/** What became of a device event: acted on, already acted on (same command id), or for a device this instance does not have. */
export type DeviceEventOutcome = 'applied' | 'duplicate' | 'not-ours';

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
  /** Whether this instance simulates the device with this code and number. */
  ownsDevice(deviceCode: string, deviceNumber: number): boolean;
  /**
   * Obeys a (validated) device event for one of its devices: SLEEP stops the device measuring (its seq
   * stands still), WAKE resumes it at its next due time, SET_INTERVAL gives it an interval of its own
   * (the instance's interval no longer applies to it), SET_LOG_LEVEL sets the lowest level of log line
   * it publishes, and a target assignment lets a device awaiting one start measuring. A command id acts once.
   */
  applyDeviceEvent(event: DeviceControlEvent): DeviceEventOutcome;
  /**
   * Publishes a DeviceAnnounced event for each device still awaiting a target; resolves with their
   * number once all are acked (or after `timeoutMs`, with the announcements still being retried).
   */
  announce(timeoutMs?: number): Promise<number>;
  stats(): SimulatorStats;
}

export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
/** Announcements are fed to their publisher a window at a time, so announcing 100,000 devices holds little memory. */
const ANNOUNCE_WINDOW = 256;

export function buildSimulator(config: SimulatorConfig, deps: SimulatorDeps): Simulator {
  const fleet = createFleet(config.sensorType, config.devices, deps.rng);
  const publisher = new EventPublisher(deps.nc, jetstream(deps.nc), {
    maxInFlight: config.maxInFlight,
    maxQueued: config.maxQueued,
    ackTimeoutMs: config.ackTimeoutMs,
    onAck: deps.onAck,
  });
  const states = new DeviceStates(config.devices, config.unassigned ?? false);
  const logGenerators = createLogGenerators(fleet);
  const ownIntervals = new OwnIntervals(config.devices);
  /** The next device to announce, when it still awaits a target; `devices` when there is none left. */
  let announceNext = config.devices;
  const announcer: EventPublisher = new EventPublisher(deps.nc, jetstream(deps.nc), {
    maxInFlight: ANNOUNCE_WINDOW,
    maxQueued: ANNOUNCE_WINDOW,
    ackTimeoutMs: config.ackTimeoutMs,
    onAck: () => feedAnnouncements(),
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
  let logLines = 0;

  /**
   * Core NATS, fire and forget: a log line waits for no ack and takes no slot of the readings'
   * window, so logging never slows measuring. The log stream stores what arrives; a line sent
   * while NATS is away is lost (logs are diagnostics, not the record).
   */
  function publishLog(m: Measurement, line: LogLine, occurredAt: string): void {
    if (deps.nc.isClosed()) return;
    try {
      deps.nc.publish(logSubjects.line(config.subjectPrefix, m.deviceCode, m.deviceNumber), encodeLogLine({ ...line, occurredAt, source: config.simulatorId }));
      logLines++;
    } catch {
      // Closing or draining: the line is dropped, as it would be with NATS away.
    }
  }

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
    const emit = (device: number, dueAt: number) => {
      // Asleep or awaiting a target: no reading, and no seq spent, so the platform counts nothing lost.
      if (!states.isMeasuring(device)) return;
      // No seq is spent on a skipped measurement either.
      if (publisher.saturated) {
        skipped++;
        return;
      }
      // The reading's time is when the device was due, so a late tick does not bunch timestamps together.
      const measuredAt = new Date(dueAt).toISOString();
      const measurement = measure(fleet, device);
      const event = readingRecorded(config.simulatorId, config.sensorType, measurement, measuredAt, occurredAt);
      publisher.enqueue(outgoingReading(config.subjectPrefix, event));
      generated++;
      const line = logLineFor(logGenerators, device, config.sensorType, measurement);
      if (line && states.logs(device, line.level)) publishLog(measurement, line, measuredAt);
    };
    for (let slot = due.from; slot < due.to; slot++) {
      const device = schedule.deviceOf(slot);
      if (ownIntervals.intervalOf(device) === 0) emit(device, schedule.dueAt(slot));
    }
    skipped += ownIntervals.take(now, emit).overdue;
  }

  function setOwnInterval(device: number, ms: number): void {
    const now = deps.clock();
    if (!schedule) {
      // Planned from the grid when the simulator starts.
      ownIntervals.set(device, ms, now, now, ms);
      return;
    }
    const own = ownIntervals.intervalOf(device);
    if (own) ownIntervals.set(device, ms, now, ownIntervals.dueAt(device) - own, own);
    else ownIntervals.set(device, ms, now, schedule.nextDueOf(device) - schedule.intervalMs, schedule.intervalMs);
  }

  /** Hands the publisher the next announcements while it has room. */
  function feedAnnouncements(): void {
    const occurredAt = new Date(deps.clock()).toISOString();
    while (announceNext < config.devices && !announcer.saturated) {
      const device = announceNext++;
      if (!states.isAwaitingTarget(device)) continue;
      const deviceCode = deviceCodeOf(fleet, device);
      const deviceNumber = fleet.numbers[device]!;
      announcer.enqueue(outgoingAnnouncement(config.subjectPrefix, { simulatorId: config.simulatorId, sensorType: config.sensorType, deviceCode, deviceNumber, occurredAt }));
    }
  }

  return {
    start() {
      if (timer) return;
      const now = deps.clock();
      schedule = new Schedule(config.devices, intervalMs, now);
      ownIntervals.restart(now);
      nextIntervalMs = null;
      timer = setInterval(tick, config.tickMs);
    },
    async stop(drainTimeoutMs = DEFAULT_DRAIN_TIMEOUT_MS) {
      clearInterval(timer);
      timer = undefined;
      schedule = undefined;
      const [readings, announcements] = await Promise.all([publisher.whenIdle(drainTimeoutMs), announcer.whenIdle(drainTimeoutMs)]);
      return readings && announcements;
    },
    setInterval(ms) {
      if (!Number.isInteger(ms) || ms < 1) throw new RangeError(`interval must be a whole number of milliseconds, at least 1; got ${ms}`);
      intervalMs = ms;
      if (schedule) nextIntervalMs = ms;
    },
    ownsDevice(deviceCode, deviceNumber) {
      return findDevice(fleet, deviceCode, deviceNumber) >= 0;
    },
    applyDeviceEvent(event) {
      const device = findDevice(fleet, event.data.deviceCode, event.data.deviceNumber);
      if (device < 0) return 'not-ours';
      if (!states.firstTime(event.data.commandId)) return 'duplicate';
      if (event.type === 'DeviceTargetAssigned') {
        states.assignTarget(device);
        return 'applied';
      }
      const { command, intervalSeconds, logLevel } = event.data;
      switch (command) {
        case 'SLEEP':
          states.sleep(device);
          break;
        case 'WAKE':
          states.wake(device);
          break;
        case 'SET_INTERVAL':
          if (intervalSeconds === undefined) throw new RangeError(`SET_INTERVAL ${event.data.commandId} has no intervalSeconds`);
          setOwnInterval(device, intervalSeconds * 1000);
          break;
        case 'SET_LOG_LEVEL':
          if (logLevel === undefined) throw new RangeError(`SET_LOG_LEVEL ${event.data.commandId} has no logLevel`);
          states.setLogLevel(device, logLevel);
          break;
        default: {
          const unhandled: never = command;
          throw new Error(`unhandled device command ${String(unhandled)}`);
        }
      }
      return 'applied';
    },
    async announce(timeoutMs = DEFAULT_DRAIN_TIMEOUT_MS) {
      const count = states.awaitingTarget;
      announceNext = 0;
      feedAnnouncements();
      await announcer.whenIdle(timeoutMs);
      return count;
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
        sleeping: states.sleeping,
        awaitingTarget: states.awaitingTarget,
        logLines,
        ...publisher.counters(),
      };
    },
  };
}
