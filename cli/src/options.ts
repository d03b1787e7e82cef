/**
 * Options several commands share, and parsers for their values. Only the syntax is
 * checked here (a number is a number); the domain rules (sensor types, ranges, time
 * order) are the server's, which answers with the message scripts then see.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ReadingFilter } from '../../sdk/index.ts';
import { usageError } from './errors.ts';

export function integer(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (raw: string): number => {
    if (!/^-?\d+$/.test(raw.trim())) throw new InvalidArgumentError(`expected a whole number, got "${raw}"`);
    const value = Number(raw);
    if (value < min || value > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got ${raw}`);
    return value;
  };
}

export function decimal(raw: string): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value)) throw new InvalidArgumentError(`expected a number, got "${raw}"`);
  return value;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const AGO = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * An RFC 3339 time with an offset, passed on as given; or a span back from now (`15m`,
 * `2h`, `7d`), sent as that time. `now` is read when the option is parsed.
 */
export function time(now: () => number = Date.now) {
  return (raw: string): string => {
    const ago = AGO.exec(raw.trim());
    if (ago) return new Date(now() - Number(ago[1]) * UNIT_MS[ago[2] as keyof typeof UNIT_MS]).toISOString();
    if (!RFC3339.test(raw.trim()) || Number.isNaN(Date.parse(raw))) {
      throw new InvalidArgumentError(`expected an RFC 3339 time with an offset (2026-01-31T12:00:00Z) or a span back from now (30s, 15m, 2h, 7d), got "${raw}"`);
    }
    return raw.trim();
  };
}

/** `A-7` → { deviceCode: 'A', deviceNumber: 7 }: the form the tables print. */
export function parseDevice(raw: string): { deviceCode: string; deviceNumber: number } {
  const match = /^([^-\s]+)-(\d+)$/.exec(raw.trim());
  if (!match) throw usageError(`device must be CODE-NUMBER, e.g. A-7 (as \`sensorctl devices list\` shows it), not "${raw}"`);
  return { deviceCode: match[1]!, deviceNumber: Number(match[2]) };
}

export interface FilterOptions {
  device?: { deviceCode: string; deviceNumber?: number };
  deviceCode?: string;
  deviceNumber?: number;
  sensorType?: string;
  from?: string;
  to?: string;
}

/** `A-7` (one device) or `A` (every device with that code). */
export function deviceOrCode(raw: string): { deviceCode: string; deviceNumber?: number } {
  if (/^[^-\s]+$/.test(raw.trim())) return { deviceCode: raw.trim() };
  try {
    return parseDevice(raw);
  } catch {
    throw new InvalidArgumentError(`expected CODE-NUMBER (A-7) or CODE (A), got "${raw}"`);
  }
}

export function addFilterOptions(command: Command): Command {
  return command
    .addOption(new Option('--device <device>', 'one device, CODE-NUMBER (A-7), or a code (A)').argParser(deviceOrCode).conflicts(['deviceCode', 'deviceNumber']))
    .option('-d, --device-code <code>', 'device code, e.g. A')
    .option('-n, --device-number <number>', 'device number, e.g. 7', integer(0))
    .option('-t, --sensor-type <type>', 'sensor type: temperature, humidity, pressure, co2 or light')
    .option('--from <time>', 'measured at or after this time: RFC 3339 (2026-01-31T00:00:00Z) or a span ago (15m, 2h, 7d)', time())
    .option('--to <time>', 'measured at or before this time (same forms)', time());
}

export function readingFilter(options: FilterOptions): ReadingFilter {
  const filter: ReadingFilter = {};
  const deviceCode = options.device?.deviceCode ?? options.deviceCode;
  const deviceNumber = options.device ? options.device.deviceNumber : options.deviceNumber;
  if (deviceCode !== undefined) filter.deviceCode = deviceCode;
  if (deviceNumber !== undefined) filter.deviceNumber = deviceNumber;
  if (options.sensorType !== undefined) filter.sensorType = options.sensorType;
  if (options.from !== undefined) filter.from = options.from;
  if (options.to !== undefined) filter.to = options.to;
  return filter;
}

export const JSON_OPTION = ['--json', 'print JSON instead of a table (for scripts)'] as const;
