/**
 * `deviceLogs`: one device's log lines, read straight from the log stream (there is no read
 * model: the stream holds them for DEVICE_LOG_RETENTION and forgets them after). The cursor is
 * the stream sequence. Pages run forward (`first`/`after`, from `from` or the oldest line kept)
 * or backward (`last`/`before`: the newest lines, up to `to` or now), always oldest first
 * within a page.
 *
 * `from`/`to` bound `receivedAt`, when the log stream stored the line: the order of the stream
 * and of its cursors, which the scan can start from exactly, and which a device with a wrong
 * clock cannot put out of reach. (`occurredAt`, the device's time, is shown beside it.)
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { atLeastLevel, LOG_LEVELS, logSubjects, type DeviceLogLine, type LogLevel } from '../../../../schema/src/logs.ts';
import { DEVICE_CODE_PATTERN, DEVICE_NUMBER_MAX } from '../../../../schema/src/sensors.ts';
import type { StreamNames } from '../../../../schema/src/subjects.ts';
import type { Principal } from '../auth/roles.ts';
import { validateDevice, type DeviceRef } from '../devices/commands.ts';
import { badInput } from '../errors.ts';
import { requirePermission } from '../permissions.ts';
import { parseTime } from '../readings/input.ts';
import { scanLogLines, type ScanStart } from './scan.ts';

export const LOG_PAGE_DEFAULT = 100;
export const LOG_PAGE_MAX = 1000;
/** The most lines one request reads from the stream; past it a forward page ends early (with a cursor to go on from), a backward one asks for `from`. */
export const LOG_SCAN_LIMIT = 100_000;

export interface DeviceLogQuery {
  device: DeviceRef;
  minLevel?: LogLevel | null;
  /** RFC 3339, inclusive. */
  from?: string | null;
  to?: string | null;
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface DeviceLogPage {
  lines: DeviceLogLine[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** Cursor to page on from: the last line's sequence, or further when a forward page stopped at the scan limit. */
  endCursor: string | null;
  startCursor: string | null;
}

export function parseLogCursor(cursor: string, field: string): number {
  if (!/^\d{1,15}$/.test(cursor)) throw badInput(`${field} must be a cursor from deviceLogs (a stream sequence)`, field);
  return Number(cursor);
}

/** A time argument in ms, or null when not given. */
function timeArgument(value: string | null | undefined, field: string): number | null {
  return value == null ? null : Date.parse(parseTime(value, field));
}

function pageSize(value: number | null | undefined, field: string): number {
  if (value == null) return LOG_PAGE_DEFAULT;
  if (!Number.isInteger(value) || value < 1 || value > LOG_PAGE_MAX) throw badInput(`${field} must be between 1 and ${LOG_PAGE_MAX}`, field);
  return value;
}

/** A deviceLogged filter, checked: a code of capital letters, a number in range, a known level. */
export function validateLogFilter(filter: { deviceCode?: string; deviceNumber?: number; minLevel?: LogLevel }): typeof filter {
  if (filter.deviceCode !== undefined && !DEVICE_CODE_PATTERN.test(filter.deviceCode)) throw badInput('deviceCode must be 1–20 capital letters A–Z', 'deviceCode');
  if (filter.deviceNumber !== undefined && (!Number.isInteger(filter.deviceNumber) || filter.deviceNumber < 1 || filter.deviceNumber > DEVICE_NUMBER_MAX)) {
    throw badInput(`deviceNumber must be an integer from 1 to ${DEVICE_NUMBER_MAX}`, 'deviceNumber');
  }
  if (filter.minLevel !== undefined && !(LOG_LEVELS as readonly string[]).includes(filter.minLevel)) throw badInput(`minLevel must be one of ${LOG_LEVELS.join(', ')}`, 'minLevel');
  return filter;
}

export class DeviceLogReader {
  constructor(
    private readonly nc: NatsConnection,
    private readonly names: StreamNames,
  ) {}

  async list(caller: Principal | null, query: DeviceLogQuery): Promise<DeviceLogPage> {
    requirePermission(caller, 'readDeviceLogs');
    const device = validateDevice(query.device);
    const minLevel = query.minLevel ?? 'debug';
    if (!(LOG_LEVELS as readonly string[]).includes(minLevel)) throw badInput(`minLevel must be one of ${LOG_LEVELS.join(', ')}`, 'minLevel');
    const fromMs = timeArgument(query.from, 'from');
    const toMs = timeArgument(query.to, 'to');
    if (fromMs !== null && toMs !== null && fromMs > toMs) throw badInput('from must not be after to', 'from');
    const backward = query.last != null || query.before != null;
    if (backward && (query.first != null || query.after != null)) throw badInput('page with first/after or with last/before, not both', 'last');
    const matches = (line: DeviceLogLine) => atLeastLevel(line.level, minLevel) && (fromMs === null || Date.parse(line.receivedAt) >= fromMs);
    /** The stream is in stored order: past `to`, no later line can match. */
    const pastRange = (line: DeviceLogLine) => toMs !== null && Date.parse(line.receivedAt) > toMs;
    const fromStart: ScanStart = fromMs === null ? 'oldest' : { fromMs };
    const subject = logSubjects.line(this.names.prefix, device.deviceCode, device.deviceNumber);
    return backward
      ? this.backward(subject, fromStart, matches, pastRange, pageSize(query.last, 'last'), query.before == null ? null : parseLogCursor(query.before, 'before'))
      : this.forward(subject, fromStart, matches, pastRange, pageSize(query.first, 'first'), query.after == null ? null : parseLogCursor(query.after, 'after'));
  }

  private async forward(subject: string, fromStart: ScanStart, matches: (l: DeviceLogLine) => boolean, pastRange: (l: DeviceLogLine) => boolean, first: number, after: number | null): Promise<DeviceLogPage> {
    const lines: DeviceLogLine[] = [];
    let more = false;
    const scan = await scanLogLines(this.nc, this.names, subject, after === null ? fromStart : { afterSequence: after }, (line) => {
      if (pastRange(line)) return false;
      if (!matches(line)) return true;
      if (lines.length === first) {
        more = true;
        return false;
      }
      lines.push(line);
      return true;
    }, { limit: LOG_SCAN_LIMIT });
    // Stopped by the scan limit: say there is more, and hand a cursor past what was read.
    const cutShort = !more && scan.limited;
    return {
      lines,
      hasNextPage: more || cutShort,
      hasPreviousPage: false,
      startCursor: lines[0] ? String(lines[0].sequence) : null,
      endCursor: cutShort ? String(scan.lastSequence) : lines.length ? String(lines.at(-1)!.sequence) : null,
    };
  }

  private async backward(subject: string, fromStart: ScanStart, matches: (l: DeviceLogLine) => boolean, pastRange: (l: DeviceLogLine) => boolean, last: number, before: number | null): Promise<DeviceLogPage> {
    const lines: DeviceLogLine[] = [];
    let earlier = false;
    const scan = await scanLogLines(this.nc, this.names, subject, fromStart, (line) => {
      if ((before !== null && line.sequence >= before) || pastRange(line)) return false;
      if (!matches(line)) return true;
      lines.push(line);
      if (lines.length > last) {
        lines.shift();
        earlier = true;
      }
      return true;
    }, { limit: LOG_SCAN_LIMIT });
    if (scan.limited) throw badInput(`more than ${LOG_SCAN_LIMIT} lines of this device to read back through: narrow the range with from`, 'from');
    return {
      lines,
      hasNextPage: false,
      hasPreviousPage: earlier,
      startCursor: lines[0] ? String(lines[0].sequence) : null,
      endCursor: lines.length ? String(lines.at(-1)!.sequence) : null,
    };
  }
}
