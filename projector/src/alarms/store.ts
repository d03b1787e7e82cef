/**
 * The alarm projection in Postgres: folds a run of events through the evaluator and writes
 * what it decided — rules, alarms, their history, command outcomes and the evaluator's memory —
 * on the caller's client, so the caller decides the transaction (live projector and rebuild
 * share it).
 */
import type pg from 'pg';
import { ALARM_CHANGED_CHANNEL, alarmRuleSchema, CHANGE_APPLIED_CHANNEL, type AlarmRule } from '../../../schema/src/index.ts';
import type { PositionedEvent } from '../readings/apply.ts';
import { emptyState, evaluate, type AlarmDecision, type EvaluatorState, type KeyState } from './evaluate.ts';
import type { AlarmTables } from './tables.ts';

/** The state row that holds the clock and the sleeping devices (rule keys never start with `_`). */
const CLOCK_KEY = '_clock';

interface ClockRow {
  clockMs: number;
  checkedSecond: number;
  sleeping: string[];
}

export async function loadEvaluatorState(client: pg.ClientBase, tables: AlarmTables): Promise<EvaluatorState> {
  const state = emptyState();
  const rules = await client.query<{ id: string; name: string; sensor_type: string | null; device_code: string | null; device_number: number | null; severity: string; condition: unknown }>(
    `SELECT id, name, sensor_type, device_code, device_number, severity, condition FROM ${tables.rules}`,
  );
  for (const r of rules.rows) {
    const rule = alarmRuleSchema.parse({
      id: r.id,
      name: r.name,
      severity: r.severity,
      condition: r.condition,
      ...(r.sensor_type === null ? {} : { sensorType: r.sensor_type }),
      ...(r.device_code === null ? {} : { deviceCode: r.device_code }),
      ...(r.device_number === null ? {} : { deviceNumber: r.device_number }),
    });
    state.rules.set(rule.id, rule);
  }
  const rows = await client.query<{ key: string; state: unknown }>(`SELECT key, state FROM ${tables.state}`);
  for (const row of rows.rows) {
    if (row.key === CLOCK_KEY) {
      const clock = row.state as ClockRow;
      state.clockMs = clock.clockMs;
      state.checkedSecond = clock.checkedSecond;
      state.sleeping = new Set(clock.sleeping);
    } else {
      state.keys.set(row.key, row.state as KeyState);
    }
  }
  return state;
}

/** Rows to write for one batch, gathered in stream order. */
class Writes {
  readonly history: { sequence: number; ordinal: number; alarmId: string; kind: string; at: string; actor: string | null; detail: string | null }[] = [];
  readonly touched = new Set<string>();
}

async function writeDecision(client: pg.ClientBase, tables: AlarmTables, sequence: number, ordinal: number, decision: AlarmDecision, writes: Writes): Promise<void> {
  switch (decision.kind) {
    case 'RAISED': {
      const { rule } = decision;
      await client.query(
        `INSERT INTO ${tables.alarms} (id, rule_id, rule_name, severity, condition_kind, sensor_type, device_code, device_number, status, raised_sequence, raised_ordinal, raised_at, value, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'ACTIVE', $9, $10, $11, $12, $13) ON CONFLICT (id) DO NOTHING`,
        [decision.alarmId, rule.id, rule.name, rule.severity, rule.condition.kind, rule.sensorType ?? null, decision.deviceCode, decision.deviceNumber, sequence, decision.ordinal, decision.at, decision.value, decision.detail],
      );
      writes.history.push({ sequence, ordinal, alarmId: decision.alarmId, kind: 'RAISED', at: decision.at, actor: null, detail: decision.detail });
      return;
    }
    case 'ACKNOWLEDGED':
      await client.query(
        `UPDATE ${tables.alarms} SET status = 'ACKNOWLEDGED', acknowledged_at = $2, acknowledged_by = $3, acknowledge_comment = $4 WHERE id = $1`,
        [decision.alarmId, decision.at, decision.actor, decision.comment],
      );
      writes.history.push({ sequence, ordinal, alarmId: decision.alarmId, kind: 'ACKNOWLEDGED', at: decision.at, actor: decision.actor, detail: decision.comment });
      return;
    case 'CLEARED':
      await client.query(`UPDATE ${tables.alarms} SET status = 'CLEARED', cleared_at = $2, cleared_by = $3, clear_detail = $4 WHERE id = $1`, [
        decision.alarmId,
        decision.at,
        decision.actor,
        decision.detail,
      ]);
      writes.history.push({ sequence, ordinal, alarmId: decision.alarmId, kind: 'CLEARED', at: decision.at, actor: decision.actor, detail: decision.detail });
      return;
    default: {
      const unreachable: never = decision;
      throw new Error(`unhandled decision ${JSON.stringify(unreachable)}`);
    }
  }
}

async function writeRule(client: pg.ClientBase, tables: AlarmTables, sequence: number, rule: AlarmRule, actor: string, at: string): Promise<void> {
  await client.query(
    `INSERT INTO ${tables.rules} (id, name, sensor_type, device_code, device_number, severity, condition, created_by, created_at, updated_by, updated_at, changed_sequence)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9, $10)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, sensor_type = excluded.sensor_type, device_code = excluded.device_code,
       device_number = excluded.device_number, severity = excluded.severity, condition = excluded.condition,
       updated_by = excluded.updated_by, updated_at = excluded.updated_at, changed_sequence = excluded.changed_sequence`,
    [rule.id, rule.name, rule.sensorType ?? null, rule.deviceCode ?? null, rule.deviceNumber ?? null, rule.severity, JSON.stringify(rule.condition), actor, at, sequence],
  );
}

async function saveState(client: pg.ClientBase, tables: AlarmTables, state: EvaluatorState, touched: Set<string>): Promise<void> {
  const keys: string[] = [CLOCK_KEY];
  const values: string[] = [JSON.stringify({ clockMs: state.clockMs, checkedSecond: state.checkedSecond, sleeping: [...state.sleeping].sort() } satisfies ClockRow)];
  const gone: string[] = [];
  for (const key of touched) {
    const value = state.keys.get(key);
    if (value) {
      keys.push(key);
      values.push(JSON.stringify(value));
    } else {
      gone.push(key);
    }
  }
  if (gone.length) await client.query(`DELETE FROM ${tables.state} WHERE key = ANY($1::text[])`, [gone]);
  await client.query(
    `INSERT INTO ${tables.state} (key, state) SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT (key) DO UPDATE SET state = excluded.state`,
    [keys, values],
  );
}

export interface AlarmApplySummary {
  decisions: number;
  commands: string[];
}

/**
 * Applies events in stream order to `state` (mutated) and the tables. Events at or before
 * the checkpoint must not be passed again: the evaluator's memory is not idempotent.
 */
export async function applyAlarmEvents(client: pg.ClientBase, tables: AlarmTables, state: EvaluatorState, events: readonly PositionedEvent[]): Promise<AlarmApplySummary> {
  const writes = new Writes();
  const summary: AlarmApplySummary = { decisions: 0, commands: [] };
  for (const { sequence, event } of events) {
    const result = evaluate(state, sequence, event);
    for (const key of result.touched) writes.touched.add(key);
    if (result.ruleChanged && 'defined' in result.ruleChanged) await writeRule(client, tables, sequence, result.ruleChanged.defined, event.actor!, event.occurredAt);
    if (result.ruleChanged && 'deleted' in result.ruleChanged) await client.query(`DELETE FROM ${tables.rules} WHERE id = $1`, [result.ruleChanged.deleted]);
    let ordinal = 0;
    for (const decision of result.decisions) await writeDecision(client, tables, sequence, ordinal++, decision, writes);
    summary.decisions += result.decisions.length;
    if (result.command) {
      const c = result.command;
      const inserted = await client.query(
        `INSERT INTO ${tables.commandResults} (command_id, sequence, event_type, actor, affected, applied_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (command_id) DO NOTHING`,
        [c.commandId, sequence, c.eventType, c.actor, c.affected, c.at],
      );
      if (inserted.rowCount) summary.commands.push(c.commandId);
    }
  }
  if (writes.history.length) {
    const h = writes.history;
    await client.query(
      `INSERT INTO ${tables.history} (sequence, ordinal, alarm_id, kind, at, actor, detail)
       SELECT * FROM unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::timestamptz[], $6::text[], $7::text[]) ON CONFLICT DO NOTHING`,
      [h.map((r) => r.sequence), h.map((r) => r.ordinal), h.map((r) => r.alarmId), h.map((r) => r.kind), h.map((r) => r.at), h.map((r) => r.actor), h.map((r) => r.detail)],
    );
  }
  if (events.length) await saveState(client, tables, state, writes.touched);
  if (tables.notify) {
    // Delivered at commit: the API reads committed rows when woken.
    for (const commandId of summary.commands) await client.query('SELECT pg_notify($1, $2)', [CHANGE_APPLIED_CHANNEL, commandId]);
    if (writes.history.length) await client.query('SELECT pg_notify($1, $2)', [ALARM_CHANGED_CHANNEL, String(writes.history.at(-1)!.sequence)]);
  }
  return summary;
}
