/**
 * The readings projection: folds events, in stream order, into the readings table
 * and records the outcome of each change command. Pure SQL over one client, so the
 * caller decides the transaction (the live projector and the rebuild share it).
 */
import type pg from 'pg';
import { CHANGE_APPLIED_CHANNEL, isAlarmEvent, type DomainEvent, type ReadingRecorded, type ReadingsChangeEvent } from '../../../schema/src/index.ts';
import { filterConditions, inRangeSql } from '../../../schema/src/filter-sql.ts';
import { applyDeviceEvent } from '../devices/device-events.ts';
import { upsertDevices } from '../devices/upsert.ts';
import { addToRollups, bucketColumns, bucketKeys, minuteOf, recomputeRollups } from '../rollups/rollups.ts';
import type { ReadModelTables } from './tables.ts';

export interface PositionedEvent {
  /** Stream sequence: the reading's id, and the order that makes change events deterministic. */
  sequence: number;
  event: DomainEvent;
}

export interface ChangeOutcome {
  commandId: string;
  sequence: number;
  affected: number;
  /** False when the command id was already applied (a duplicate command). */
  applied: boolean;
}

export interface ApplySummary {
  recorded: number;
  changes: ChangeOutcome[];
}

/** Columnar buffer of readings waiting to be inserted in one statement. */
class ReadingBuffer {
  ids: number[] = [];
  types: string[] = [];
  values: number[] = [];
  codes: string[] = [];
  numbers: number[] = [];
  timestamps: string[] = [];
  seqs: (number | null)[] = [];
  recordedAt: string[] = [];

  push(sequence: number, event: ReadingRecorded): void {
    const d = event.data;
    this.ids.push(sequence);
    this.types.push(d.sensorType);
    this.values.push(d.value);
    this.codes.push(d.deviceCode);
    this.numbers.push(d.deviceNumber);
    this.timestamps.push(d.timestamp);
    this.seqs.push(d.seq ?? null);
    this.recordedAt.push(event.occurredAt);
  }

  get size(): number {
    return this.ids.length;
  }

  params(): unknown[] {
    return [this.ids, this.types, this.values, this.codes, this.numbers, this.timestamps, this.seqs, this.recordedAt];
  }
}

async function insertReadings(client: pg.ClientBase, tables: ReadModelTables, buffer: ReadingBuffer): Promise<number> {
  if (buffer.size === 0) return 0;
  await upsertDevices(client, tables, buffer);
  await addToRollups(client, tables, buffer);
  // One statement per run of readings; arrays travel as single parameters (STACK trap 6).
  // ON CONFLICT: a reading is its event's sequence, so a replayed event cannot double it.
  const result = await client.query({
    name: `insert-readings:${tables.readings}`,
    text: `INSERT INTO ${tables.readings} (id, sensor_type, value, device_code, device_number, "timestamp", seq, recorded_at)
      SELECT * FROM unnest($1::bigint[], $2::text[], $3::float8[], $4::text[], $5::int[], $6::timestamptz[], $7::int[], $8::timestamptz[])
      ON CONFLICT (id) DO NOTHING`,
    values: buffer.params(),
  });
  return result.rowCount ?? 0;
}

interface ChangeSql {
  /** SET list for the rows that match. */
  set: string;
  /** Which rows match (besides the ordering condition). */
  where: string[];
  values: unknown[];
}

function changeSql(sequence: number, event: ReadingsChangeEvent): ChangeSql {
  const values: unknown[] = [sequence, event.occurredAt, event.actor];
  // Only readings recorded before this event in the stream are touched, however the batch is cut.
  const where = ['id < $1', ...filterConditions(event.data.filter, values)];
  switch (event.type) {
    case 'ReadingsEdited': {
      const { sensorType, value, timestamp } = event.data.changes;
      values.push(sensorType ?? null, value ?? null, timestamp ?? null);
      const [t, v, ts] = [`$${values.length - 2}::text`, `$${values.length - 1}::float8`, `$${values.length}::timestamptz`];
      const newType = `COALESCE(${t}, sensor_type)`;
      const newValue = `COALESCE(${v}, value)`;
      // A row the change would push out of its type's valid range is left as it is (and not counted).
      where.push('deleted_at IS NULL', inRangeSql(newType, newValue));
      return {
        set: `sensor_type = ${newType}, value = ${newValue}, "timestamp" = COALESCE(${ts}, "timestamp"), updated_at = $2::timestamptz, updated_by = $3, version = version + 1`,
        where,
        values,
      };
    }
    case 'ReadingsDeleted':
      where.push('deleted_at IS NULL');
      return { set: 'deleted_at = $2::timestamptz, deleted_by = $3', where, values };
    case 'ReadingsRestored':
      where.push('deleted_at IS NOT NULL');
      return { set: 'deleted_at = NULL, deleted_by = NULL, restored_at = $2::timestamptz, restored_by = $3', where, values };
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled change event ${JSON.stringify(unreachable)}`);
    }
  }
}

interface ChangedRow {
  device_code: string;
  device_number: number;
  sensor_type: string;
  minute: string;
  old_code: string;
  old_number: number;
  old_type: string;
  old_minute: string;
}

async function applyChange(client: pg.ClientBase, tables: ReadModelTables, sequence: number, event: ReadingsChangeEvent): Promise<ChangeOutcome> {
  const { commandId } = event.data;
  const seen = await client.query(`SELECT 1 FROM ${tables.changeResults} WHERE command_id = $1`, [commandId]);
  if (seen.rowCount) return { commandId, sequence, affected: 0, applied: false };
  const change = changeSql(sequence, event);
  // The rows' buckets before and after the change: both need their rollups recomputed.
  const result = await client.query<ChangedRow>(
    `UPDATE ${tables.readings} r SET ${change.set}
     FROM (SELECT id AS old_id, device_code AS old_code, device_number AS old_number, sensor_type AS old_type, ${minuteOf('"timestamp"')}::text AS old_minute
           FROM ${tables.readings} WHERE ${change.where.join(' AND ')}) old
     WHERE r.id = old.old_id
     RETURNING ${bucketColumns('r')}, old.old_code, old.old_number, old.old_type, old.old_minute`,
    change.values,
  );
  const affected = result.rowCount ?? 0;
  await recomputeRollups(
    client,
    tables,
    bucketKeys(result.rows.flatMap((r) => [r, { device_code: r.old_code, device_number: r.old_number, sensor_type: r.old_type, minute: r.old_minute }])),
  );
  await client.query(
    `INSERT INTO ${tables.changeResults} (command_id, sequence, event_type, actor, affected, applied_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [commandId, sequence, event.type, event.actor, affected, event.occurredAt],
  );
  // Delivered at commit, so a waiting API reads a committed result.
  if (tables.notifyChanges) await client.query('SELECT pg_notify($1, $2)', [CHANGE_APPLIED_CHANNEL, commandId]);
  return { commandId, sequence, affected, applied: true };
}

/** Applies events in order. Runs of readings go in one insert; a change first flushes what precedes it. */
export async function applyEvents(client: pg.ClientBase, tables: ReadModelTables, events: readonly PositionedEvent[]): Promise<ApplySummary> {
  const summary: ApplySummary = { recorded: 0, changes: [] };
  let buffer = new ReadingBuffer();
  for (const { sequence, event } of events) {
    if (event.type === 'ReadingRecorded') {
      buffer.push(sequence, event);
      continue;
    }
    summary.recorded += await insertReadings(client, tables, buffer);
    buffer = new ReadingBuffer();
    if (event.type === 'ReadingsEdited' || event.type === 'ReadingsDeleted' || event.type === 'ReadingsRestored') {
      summary.changes.push(await applyChange(client, tables, sequence, event));
    } else if (isAlarmEvent(event)) {
      // Alarm rules and commands belong to the alarm projection (projector/src/alarms).
      continue;
    } else {
      const outcome = await applyDeviceEvent(client, tables, sequence, event);
      if (outcome) summary.changes.push(outcome);
    }
  }
  summary.recorded += await insertReadings(client, tables, buffer);
  return summary;
}
