/** Device commands (sleep, wake, set interval, set log level) and target assignment: validated, appended as events, awaited. */
import { deviceTargetSchema, DEVICE_CODE_PATTERN, DEVICE_NUMBER_MAX, LOG_LEVELS, MIN_INTERVAL_SECONDS, type DeviceCommand, type DeviceTarget, type LogLevel } from '../../../../schema/src/index.ts';
import type { Principal } from '../auth/roles.ts';
import { appendCommand, commandIdFor, type CommandLog } from '../commands.ts';
import { badInput, notFound } from '../errors.ts';
import { requirePermission } from '../permissions.ts';
import type { ChangeResult } from '../readings/change-waiter.ts';

export interface DeviceRef {
  deviceCode: string;
  deviceNumber: number;
}

export function validateDevice(device: DeviceRef): DeviceRef {
  if (!DEVICE_CODE_PATTERN.test(device.deviceCode)) throw badInput('deviceCode must be 1–20 capital letters A–Z', 'deviceCode');
  if (!Number.isInteger(device.deviceNumber) || device.deviceNumber < 1 || device.deviceNumber > DEVICE_NUMBER_MAX) {
    throw badInput(`deviceNumber must be an integer from 1 to ${DEVICE_NUMBER_MAX}`, 'deviceNumber');
  }
  return device;
}

/** What a command carries besides its name: SET_INTERVAL its interval, SET_LOG_LEVEL its level. */
export interface CommandParameters {
  intervalSeconds?: number | null;
  logLevel?: LogLevel | null;
}

/** The parameters `command` takes, checked: each goes with its own command only. */
function commandParameters(command: DeviceCommand, { intervalSeconds, logLevel }: CommandParameters): { intervalSeconds?: number; logLevel?: LogLevel } {
  if (command !== 'SET_INTERVAL' && intervalSeconds != null) throw badInput(`intervalSeconds goes only with SET_INTERVAL, not ${command}`, 'intervalSeconds');
  if (command !== 'SET_LOG_LEVEL' && logLevel != null) throw badInput(`logLevel goes only with SET_LOG_LEVEL, not ${command}`, 'logLevel');
  switch (command) {
    case 'SLEEP':
    case 'WAKE':
      return {};
    case 'SET_INTERVAL':
      if (intervalSeconds == null) throw badInput('intervalSeconds is required for SET_INTERVAL', 'intervalSeconds');
      if (!Number.isInteger(intervalSeconds) || intervalSeconds < MIN_INTERVAL_SECONDS || intervalSeconds > 86_400) {
        throw badInput(`interval must be at least ${MIN_INTERVAL_SECONDS} seconds (and at most a day)`, 'intervalSeconds');
      }
      return { intervalSeconds };
    case 'SET_LOG_LEVEL':
      if (logLevel == null) throw badInput('logLevel is required for SET_LOG_LEVEL', 'logLevel');
      if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) throw badInput(`logLevel must be one of ${LOG_LEVELS.join(', ')}`, 'logLevel');
      return { logLevel };
    default: {
      const unhandled: never = command;
      throw new Error(`unhandled device command ${String(unhandled)}`);
    }
  }
}

export class DeviceCommands {
  constructor(
    private readonly log: CommandLog,
    private readonly clock: () => number,
  ) {}

  private envelope(caller: Principal, commandId: string) {
    return { version: 1 as const, id: commandId, occurredAt: new Date(this.clock()).toISOString(), actor: caller.username };
  }

  private async requireKnown(device: DeviceRef): Promise<void> {
    const found = await this.log.db.query('SELECT 1 FROM devices WHERE device_code = $1 AND device_number = $2', [device.deviceCode, device.deviceNumber]);
    if (!found.rowCount) throw notFound(`no device ${device.deviceCode}-${device.deviceNumber} has been seen`);
  }

  async sendCommand(caller: Principal | null, device: DeviceRef, command: DeviceCommand, parameters: CommandParameters = {}, idempotencyKey?: string | null): Promise<ChangeResult> {
    const principal = requirePermission(caller, 'controlDevices');
    validateDevice(device);
    const checked = commandParameters(command, parameters);
    await this.requireKnown(device);
    const commandId = commandIdFor(principal, `device-command:${command}`, idempotencyKey);
    return appendCommand(this.log, commandId, {
      type: 'DeviceCommandIssued',
      ...this.envelope(principal, commandId),
      data: { commandId, ...device, command, ...checked },
    });
  }

  /** The device publishes no log line below `level` from then on: a SET_LOG_LEVEL command. */
  setLogLevel(caller: Principal | null, device: DeviceRef, level: LogLevel, idempotencyKey?: string | null): Promise<ChangeResult> {
    return this.sendCommand(caller, device, 'SET_LOG_LEVEL', { logLevel: level }, idempotencyKey);
  }

  async assignTarget(caller: Principal | null, device: DeviceRef, target: DeviceTarget, idempotencyKey?: string | null): Promise<ChangeResult> {
    const principal = requirePermission(caller, 'controlDevices');
    validateDevice(device);
    const parsed = deviceTargetSchema.safeParse({ ...target, name: target.name?.trim() });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badInput(issue.message, String(issue.path[0] ?? 'target'));
    }
    const commandId = commandIdFor(principal, 'assign-target', idempotencyKey);
    return appendCommand(this.log, commandId, { type: 'DeviceTargetAssigned', ...this.envelope(principal, commandId), data: { commandId, ...device, target: parsed.data } });
  }
}
