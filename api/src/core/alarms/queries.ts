/** Reading the alarm projection: rules, alarms (filtered, keyset-paged, newest first), their history, counts. */
import type pg from 'pg';
import { ALARM_SEVERITIES, ALARM_STATUSES, type AlarmCondition, type AlarmSeverity, type AlarmStatus } from '../../../../schema/src/alarms.ts';
import { DEVICE_CODE_PATTERN } from '../../../../schema/src/sensors.ts';
import type { ChangeResult } from '../readings/change-waiter.ts';
import { badInput } from '../errors.ts';
import { pgTimeToIso } from '../readings/queries.ts';

export interface AlarmRuleRow {
  id: string;
  name: string;
  sensorType: string | null;
  deviceCode: string | null;
  deviceNumber: number | null;
  severity: AlarmSeverity;
  condition: AlarmCondition;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

export interface AlarmRow {
  id: string;
  ruleId: string;
  ruleName: string;
  severity: AlarmSeverity;
  conditionKind: string;
  sensorType: string | null;
  deviceCode: string;
  deviceNumber: number;
  status: AlarmStatus;
  raisedSequence: number;
  raisedOrdinal: number;
  raisedAt: string;
  value: number | null;
  detail: string;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  acknowledgeComment: string | null;
  clearedAt: string | null;
  clearedBy: string | null;
  clearDetail: string | null;
}

export interface AlarmHistoryRow {
  /** `<sequence>:<ordinal>`: the position in the stream that caused it; a cursor for alarmChanged. */
  position: string;
  sequence: number;
  alarmId: string;
  kind: 'RAISED' | 'ACKNOWLEDGED' | 'CLEARED';
  at: string;
  actor: string | null;
  detail: string | null;
}

const RULE_COLUMNS = `id, name, sensor_type AS "sensorType", device_code AS "deviceCode", device_number AS "deviceNumber", severity, condition,
  created_by AS "createdBy", created_at::text AS "createdAt", updated_by AS "updatedBy", updated_at::text AS "updatedAt"`;

const ALARM_COLUMNS = `id, rule_id AS "ruleId", rule_name AS "ruleName", severity, condition_kind AS "conditionKind", sensor_type AS "sensorType",
  device_code AS "deviceCode", device_number AS "deviceNumber", status, raised_sequence::float8 AS "raisedSequence", raised_ordinal AS "raisedOrdinal",
  raised_at::text AS "raisedAt", value, detail, acknowledged_at::text AS "acknowledgedAt", acknowledged_by AS "acknowledgedBy",
  acknowledge_comment AS "acknowledgeComment", cleared_at::text AS "clearedAt", cleared_by AS "clearedBy", clear_detail AS "clearDetail"`;

const toRule = (r: AlarmRuleRow): AlarmRuleRow => ({ ...r, createdAt: pgTimeToIso(r.createdAt)!, updatedAt: pgTimeToIso(r.updatedAt)! });
const toAlarm = (r: AlarmRow): AlarmRow => ({
  ...r,
  raisedAt: pgTimeToIso(r.raisedAt)!,
  acknowledgedAt: pgTimeToIso(r.acknowledgedAt),
  clearedAt: pgTimeToIso(r.clearedAt),
});

export async function listAlarmRules(db: pg.Pool): Promise<AlarmRuleRow[]> {
  const result = await db.query<AlarmRuleRow>(`SELECT ${RULE_COLUMNS} FROM alarm_rules ORDER BY name, id`);
  return result.rows.map(toRule);
}

export async function findAlarmRule(db: pg.Pool, id: string): Promise<AlarmRuleRow | null> {
  const result = await db.query<AlarmRuleRow>(`SELECT ${RULE_COLUMNS} FROM alarm_rules WHERE id = $1`, [id]);
  return result.rows[0] ? toRule(result.rows[0]) : null;
}

export async function findAlarm(db: pg.Pool, id: string): Promise<AlarmRow | null> {
  const result = await db.query<AlarmRow>(`SELECT ${ALARM_COLUMNS} FROM alarms WHERE id = $1`, [id]);
  return result.rows[0] ? toAlarm(result.rows[0]) : null;
}

export interface AlarmFilter {
  /** ACTIVE means raised and not cleared (acknowledged ones too); ACKNOWLEDGED and CLEARED as stored. */
  status?: AlarmStatus | null;
  severity?: AlarmSeverity | null;
  deviceCode?: string | null;
  deviceNumber?: number | null;
  ruleId?: string | null;
}

export function encodeAlarmCursor(row: Pick<AlarmRow, 'raisedSequence' | 'raisedOrdinal'>): string {
  return Buffer.from(JSON.stringify([row.raisedSequence, row.raisedOrdinal])).toString('base64url');
}

function decodeAlarmCursor(cursor: string): [number, number] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && Number.isInteger(value[0]) && Number.isInteger(value[1])) return [value[0] as number, value[1] as number];
  } catch {
    // fall through
  }
  throw badInput('after is not a cursor this API issued', 'after');
}

/** Alarms newest first (by the stream position that raised them), `first` at a time after a cursor. */
export async function listAlarms(db: pg.Pool, filter: AlarmFilter, page: { first?: number | null; after?: string | null }) {
  const first = page.first ?? 50;
  if (!Number.isInteger(first) || first < 1 || first > 1000) throw badInput('first must be an integer from 1 to 1000', 'first');
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (filter.status != null) {
    if (!ALARM_STATUSES.includes(filter.status)) throw badInput(`status must be one of ${ALARM_STATUSES.join(', ')}`, 'status');
    if (filter.status === 'ACTIVE') where.push(`status <> 'CLEARED'`);
    else add('status = ?', filter.status);
  }
  if (filter.severity != null) {
    if (!ALARM_SEVERITIES.includes(filter.severity)) throw badInput(`severity must be one of ${ALARM_SEVERITIES.join(', ')}`, 'severity');
    add('severity = ?', filter.severity);
  }
  if (filter.deviceCode != null) {
    if (!DEVICE_CODE_PATTERN.test(filter.deviceCode)) throw badInput('deviceCode must be 1–20 capital letters A–Z', 'deviceCode');
    add('device_code = ?', filter.deviceCode);
  }
  if (filter.deviceNumber != null) {
    if (!Number.isInteger(filter.deviceNumber) || filter.deviceNumber < 1) throw badInput('deviceNumber must be a positive integer', 'deviceNumber');
    add('device_number = ?', filter.deviceNumber);
  }
  if (filter.ruleId != null) add('rule_id = ?', filter.ruleId);
  const filtered = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const filterParams = [...params];
  if (page.after != null) {
    const [sequence, ordinal] = decodeAlarmCursor(page.after);
    params.push(sequence, ordinal);
    where.push(`(raised_sequence, raised_ordinal) < ($${params.length - 1}, $${params.length})`);
  }
  params.push(first + 1);
  const [rows, count] = await Promise.all([
    db.query<AlarmRow>(`SELECT ${ALARM_COLUMNS} FROM alarms ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY raised_sequence DESC, raised_ordinal DESC LIMIT $${params.length}`, params),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM alarms ${filtered}`, filterParams),
  ]);
  return { rows: rows.rows.slice(0, first).map(toAlarm), hasNextPage: rows.rows.length > first, hasPreviousPage: page.after != null, totalCount: count.rows[0]?.n ?? 0 };
}

export async function alarmHistory(db: pg.Pool, alarmId: string): Promise<AlarmHistoryRow[]> {
  const result = await db.query<Omit<AlarmHistoryRow, 'position'> & { ordinal: number }>(
    `SELECT sequence::float8 AS sequence, ordinal, alarm_id AS "alarmId", kind, at::text AS at, actor, detail FROM alarm_history WHERE alarm_id = $1 ORDER BY sequence, ordinal`,
    [alarmId],
  );
  return result.rows.map(({ ordinal, ...r }) => ({ ...r, position: `${r.sequence}:${ordinal}`, at: pgTimeToIso(r.at)! }));
}

/** History entries after a position, oldest first, with their alarms as they are now (for alarmChanged). */
export async function historySince(db: pg.Pool, after: [number, number], limit: number): Promise<(AlarmHistoryRow & { ordinal: number })[]> {
  const result = await db.query<Omit<AlarmHistoryRow, 'position'> & { ordinal: number }>(
    `SELECT sequence::float8 AS sequence, ordinal, alarm_id AS "alarmId", kind, at::text AS at, actor, detail FROM alarm_history
     WHERE (sequence, ordinal) > ($1, $2) ORDER BY sequence, ordinal LIMIT $3`,
    [after[0], after[1], limit],
  );
  return result.rows.map((r) => ({ ...r, position: `${r.sequence}:${r.ordinal}`, at: pgTimeToIso(r.at)! }));
}

/** The newest history position, `[0, -1]` when there is none. */
export async function latestHistoryPosition(db: pg.Pool): Promise<[number, number]> {
  const result = await db.query<{ sequence: number; ordinal: number }>('SELECT sequence::float8 AS sequence, ordinal FROM alarm_history ORDER BY sequence DESC, ordinal DESC LIMIT 1');
  const row = result.rows[0];
  return row ? [row.sequence, row.ordinal] : [0, -1];
}

/** Alarms raised and not cleared, per severity (every severity present, 0 when none): the Prometheus gauge. */
export async function activeAlarmsBySeverity(db: pg.Pool): Promise<Record<AlarmSeverity, number>> {
  const result = await db.query<{ severity: AlarmSeverity; n: number }>(`SELECT severity, count(*)::int AS n FROM alarms WHERE status <> 'CLEARED' GROUP BY severity`);
  const counts = Object.fromEntries(ALARM_SEVERITIES.map((s) => [s, 0])) as Record<AlarmSeverity, number>;
  for (const row of result.rows) counts[row.severity] = row.n;
  return counts;
}

/** The outcome of an alarm command, as the alarm projector recorded it (for read-your-writes). */
export async function findAlarmCommandResult(db: pg.Pool, commandId: string): Promise<ChangeResult | null> {
  const result = await db.query<{ sequence: string; affected: number }>('SELECT sequence, affected FROM alarm_command_results WHERE command_id = $1', [commandId]);
  const row = result.rows[0];
  return row ? { commandId, sequence: Number(row.sequence), affected: row.affected } : null;
}
