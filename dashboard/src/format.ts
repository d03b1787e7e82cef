/** How times, values and statuses read on screen. */
import type { DeviceStatus } from '../../sdk/index.ts';

export const SENSOR_TYPES = ['temperature', 'humidity', 'pressure', 'co2', 'light'] as const;

const UNITS: Record<string, string> = { temperature: '°C', humidity: '%', pressure: 'hPa', co2: 'ppm', light: 'lux' };

export const unitOf = (sensorType: string): string => UNITS[sensorType] ?? '';

export function formatValue(value: number, sensorType?: string): string {
  const digits = Math.abs(value) >= 1000 ? 0 : Math.abs(value) >= 100 ? 1 : 2;
  const text = value.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  return sensorType ? `${text} ${unitOf(sensorType)}` : text;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return new Date(iso).toLocaleString(undefined, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Shorter, for table cells: the year only when it is not this year. */
export function formatShortTime(iso: string, now = Date.now()): string {
  const d = new Date(iso);
  const year = d.getFullYear() === new Date(now).getFullYear() ? undefined : 'numeric';
  return d.toLocaleString(undefined, { year, month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatClock(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

export function formatAgo(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

export const STATUS_LABELS: Record<DeviceStatus, string> = {
  ONLINE: 'online',
  OFFLINE: 'offline',
  SLEEPING: 'sleeping',
  AWAITING_TARGET: 'awaiting target',
};

/** `datetime-local` input value (local time, seconds) ⇄ RFC 3339 UTC. */
export function toLocalInput(iso: string): string {
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function fromLocalInput(local: string): string | null {
  if (!local) return null;
  const ms = new Date(local).getTime();
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export const deviceName = (d: { deviceCode: string; deviceNumber: number }): string => `${d.deviceCode}-${d.deviceNumber}`;
