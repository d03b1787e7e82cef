/** What every resolver sees: who is calling, and the transport-free services. */
import type { AuditLog } from './core/audit.ts';
import type { AlarmService } from './core/alarms/service.ts';
import type { AlarmFeed } from './live/alarms.ts';
import type { AuthService } from './core/auth/service.ts';
import type { Principal } from './core/auth/roles.ts';
import type { CoreError } from './core/errors.ts';
import type { ReadingIngest } from './core/ingest.ts';
import type { ReadingChanges } from './core/readings/changes.ts';
import type { SimulatorControl } from './core/simulators.ts';
import type { DeviceCommands } from './core/devices/commands.ts';
import type { DeviceLogReader } from './core/logs/queries.ts';
import type { DeviceLogFeed } from './live/device-logs.ts';
import type { SystemStatusService } from './core/system-status.ts';
import type { LiveService } from './live/service.ts';
import type pg from 'pg';
import type { Logger } from '../../schema/src/log.ts';

export interface Services {
  db: pg.Pool;
  /** The API's clock (device status is derived from it). */
  clock: () => number;
  auth: AuthService;
  changes: ReadingChanges;
  devices: DeviceCommands;
  ingest: ReadingIngest;
  status: SystemStatusService;
  live: LiveService;
  simulators: SimulatorControl;
  /** Events read from the stream for auditors. */
  audit: AuditLog;
  /** Alarm rules, alarms, acknowledgement and clearing. */
  alarms: AlarmService;
  /** The alarmChanged follower (live/alarms.ts). */
  alarmFeed: AlarmFeed;
  /** Devices' log lines, read from the log stream. */
  deviceLogs: DeviceLogReader;
  /** The deviceLogged follower (live/device-logs.ts). */
  logFeed: DeviceLogFeed;
}

export interface Context {
  caller: Principal | null;
  /** When the caller's credential expires (access tokens); live feeds end then. */
  expiresAt: Date | null;
  /** Why the presented credential was refused, if it was: reported instead of a generic UNAUTHENTICATED. */
  authError: CoreError | null;
  /** The client's address, for login throttling. */
  address: string;
  /** The HTTP request's or WebSocket operation's id, as in the log lines (http-ops.ts, ws-server.ts). */
  requestId: string;
  /** The operation's logger: every line carries `requestId`. */
  log: Logger;
  services: Services;
}
