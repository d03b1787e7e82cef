/**
 * What device commands and target assignments set on a simulator's devices: asleep, awaiting
 * a target (one byte a device), the minimum log level (one byte a device), and the ids of the
 * commands already applied, so that a command
 * seen twice (live and again in the replay at start, or stored twice outside the duplicate
 * window) acts once, as in the read model.
 */
import type { SensorType } from '../../schema/src/sensors.ts';
import { encodeEvent, type DomainEvent } from '../../schema/src/events.ts';
import { DEFAULT_DEVICE_LOG_LEVEL, LOG_LEVELS, logLevelRank, type LogLevel } from '../../schema/src/logs.ts';
import { subjects } from '../../schema/src/subjects.ts';
import type { OutgoingEvent } from './publisher.ts';

const SLEEPING = 1;
const AWAITING_TARGET = 2;

export class DeviceStates {
  private readonly flags: Uint8Array;
  /** Per device: the rank (logs.ts) of the lowest level it publishes. */
  private readonly logLevels: Uint8Array;
  private readonly appliedCommands = new Set<string>();
  private sleepingCount = 0;
  private awaitingCount: number;

  /** `awaitingTarget`: every device starts unassigned (provisioning), measuring nothing until it gets a target. */
  constructor(devices: number, awaitingTarget: boolean) {
    this.flags = new Uint8Array(devices).fill(awaitingTarget ? AWAITING_TARGET : 0);
    this.awaitingCount = awaitingTarget ? devices : 0;
    this.logLevels = new Uint8Array(devices).fill(logLevelRank(DEFAULT_DEVICE_LOG_LEVEL));
  }

  get sleeping(): number {
    return this.sleepingCount;
  }

  get awaitingTarget(): number {
    return this.awaitingCount;
  }

  /** Neither asleep nor awaiting a target. */
  isMeasuring(device: number): boolean {
    return this.flags[device] === 0;
  }

  isAwaitingTarget(device: number): boolean {
    return (this.flags[device]! & AWAITING_TARGET) !== 0;
  }

  /** True the first time a command id is seen; it is remembered from then on. */
  firstTime(commandId: string): boolean {
    if (this.appliedCommands.has(commandId)) return false;
    this.appliedCommands.add(commandId);
    return true;
  }

  sleep(device: number): void {
    if (this.set(device, SLEEPING, true)) this.sleepingCount++;
  }

  wake(device: number): void {
    if (this.set(device, SLEEPING, false)) this.sleepingCount--;
  }

  assignTarget(device: number): void {
    if (this.set(device, AWAITING_TARGET, false)) this.awaitingCount--;
  }

  setLogLevel(device: number, level: LogLevel): void {
    this.logLevels[device] = logLevelRank(level);
  }

  logLevelOf(device: number): LogLevel {
    return LOG_LEVELS[this.logLevels[device]!]!;
  }

  /** Whether the device publishes a line of `level`: not below its minimum. */
  logs(device: number, level: LogLevel): boolean {
    return logLevelRank(level) >= this.logLevels[device]!;
  }

  /** Sets or clears one flag; true when that changed it. */
  private set(device: number, flag: number, on: boolean): boolean {
    const before = this.flags[device]!;
    const after = on ? before | flag : before & ~flag;
    this.flags[device] = after;
    return after !== before;
  }
}

export interface Announcement {
  simulatorId: string;
  sensorType: SensorType;
  deviceCode: string;
  deviceNumber: number;
  occurredAt: string;
}

/**
 * A device without a target introduces itself. The event id is unique to this start of the
 * simulator (whose id is its `source`); the Nats-Msg-Id names the device and its type only, so a
 * simulator restarted within the stream's duplicate window does not store a second announcement.
 */
export function outgoingAnnouncement(prefix: string, a: Announcement): OutgoingEvent {
  const event: DomainEvent = {
    type: 'DeviceAnnounced',
    version: 1,
    id: `${a.simulatorId}.${a.deviceCode}.${a.deviceNumber}.announced`,
    occurredAt: a.occurredAt,
    data: { deviceCode: a.deviceCode, deviceNumber: a.deviceNumber, sensorType: a.sensorType, source: a.simulatorId },
  };
  return {
    subject: subjects.device(prefix, 'announced', a.deviceCode, a.deviceNumber),
    id: event.id,
    msgId: `announced.${a.sensorType}.${a.deviceCode}.${a.deviceNumber}`,
    type: event.type,
    version: event.version,
    payload: encodeEvent(event),
  };
}
