/**
 * Who may do what: the one table of role rules. GraphQL declares them as Pothos
 * scopes from this table; the core enforces them for every other caller (REST, CLI).
 */
import { forbidden, unauthenticated, type CoreError } from './errors.ts';
import type { KeyRole, Principal } from './auth/roles.ts';

export const PERMISSIONS = {
  readReadings: ['admin', 'user'],
  editReadings: ['admin', 'user'],
  deleteReadings: ['admin'],
  restoreReadings: ['admin'],
  readDeletedReadings: ['admin'],
  manageUsers: ['admin'],
  readSystemStatus: ['admin', 'user'],
  manageOwnKeys: ['admin', 'user'],
  controlDevices: ['admin'],
  /** Devices' log lines (deviceLogs, deviceLogged): people's, not device keys'. */
  readDeviceLogs: ['admin', 'user'],
  /** Sessions are people's: a device key may not end its owner's. */
  manageOwnSession: ['admin', 'user'],
  /** List, start, stop and pace the simulator instances. */
  controlSimulators: ['admin'],
  /** Batch ingest (recordReadings, the REST manual endpoint): what DEVICE keys are for. */
  recordReadings: ['admin', 'device'],
  /** The event stream itself, every actor's changes included (auditEvents). */
  readAuditEvents: ['admin'],
  /** Alarms and alarm rules: read them, acknowledge an alarm (with a comment). */
  readAlarms: ['admin', 'user'],
  acknowledgeAlarms: ['admin', 'user'],
  /** Clear an alarm by hand; define and delete alarm rules. */
  clearAlarms: ['admin'],
  manageAlarmRules: ['admin'],
} as const satisfies Record<string, readonly KeyRole[]>;

export type Permission = keyof typeof PERMISSIONS;

export function allows(role: KeyRole, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly KeyRole[]).includes(role);
}

/** Why `caller` may not do `permission`, or null when it may. */
export function permissionError(caller: Principal | null, permission: Permission): CoreError | null {
  if (!caller) return unauthenticated();
  if (!allows(caller.role, permission)) return forbidden(`the ${caller.role} role may not ${permission.replace(/[A-Z]/g, (c) => ` ${c.toLowerCase()}`)}`);
  return null;
}

export function requirePermission(caller: Principal | null, permission: Permission): Principal {
  const error = permissionError(caller, permission);
  if (error) throw error;
  return caller!;
}
