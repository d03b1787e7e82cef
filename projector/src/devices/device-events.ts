/**
 * Device events folded into the devices read model: an announcement (awaiting a target),
 * a target assignment, and commands (sleep, wake, set interval, set log level). Commands and assignments
 * record their outcome per command id, like changes to readings, so the API can wait for them.
 */
import type pg from 'pg';
import { CHANGE_APPLIED_CHANNEL, type DeviceEvent } from '../../../schema/src/index.ts';
import type { ChangeOutcome } from '../readings/apply.ts';
import type { ReadModelTables } from '../readings/tables.ts';

async function applyAnnouncement(client: pg.ClientBase, tables: ReadModelTables, sequence: number, event: Extract<DeviceEvent, { type: 'DeviceAnnounced' }>) {
  const d = event.data;
  await client.query(
    `INSERT INTO ${tables.devices} AS d (device_code, device_number, first_seen_at, sensor_types, reading_count, awaiting_target, changed_sequence)
     VALUES ($1, $2, $3, ARRAY[$4::text], 0, true, $5)
     ON CONFLICT (device_code, device_number) DO UPDATE SET
       first_seen_at = least(d.first_seen_at, excluded.first_seen_at),
       sensor_types = ARRAY(SELECT DISTINCT t FROM unnest(d.sensor_types || excluded.sensor_types) AS t ORDER BY t),
       awaiting_target = d.target_name IS NULL,
       changed_sequence = excluded.changed_sequence`,
    [d.deviceCode, d.deviceNumber, event.occurredAt, d.sensorType, sequence],
  );
}

async function applyCommand(client: pg.ClientBase, tables: ReadModelTables, sequence: number, event: Exclude<DeviceEvent, { type: 'DeviceAnnounced' }>): Promise<number> {
  const d = event.data;
  if (event.type === 'DeviceTargetAssigned') {
    // A target may be assigned before the device ever spoke (provisioning ahead of time).
    const result = await client.query(
      `INSERT INTO ${tables.devices} AS d (device_code, device_number, sensor_types, reading_count, target_name, target_latitude, target_longitude, changed_sequence)
       VALUES ($1, $2, '{}', 0, $3, $4, $5, $6)
       ON CONFLICT (device_code, device_number) DO UPDATE SET target_name = excluded.target_name, target_latitude = excluded.target_latitude,
         target_longitude = excluded.target_longitude, awaiting_target = false, changed_sequence = excluded.changed_sequence`,
      [event.data.deviceCode, event.data.deviceNumber, event.data.target.name, event.data.target.latitude ?? null, event.data.target.longitude ?? null, sequence],
    );
    return result.rowCount ?? 0;
  }
  const { command, intervalSeconds, logLevel } = event.data;
  const sleeping = command === 'SLEEP' ? 'true' : command === 'WAKE' ? 'false' : 'sleeping';
  const result = await client.query(
    `UPDATE ${tables.devices} SET sleeping = ${sleeping}, interval_ms = coalesce($3::int * 1000, interval_ms),
       log_level = coalesce($4::text, log_level), changed_sequence = $5
     WHERE device_code = $1 AND device_number = $2`,
    [d.deviceCode, d.deviceNumber, command === 'SET_INTERVAL' ? (intervalSeconds ?? null) : null, command === 'SET_LOG_LEVEL' ? (logLevel ?? null) : null, sequence],
  );
  return result.rowCount ?? 0;
}

export async function applyDeviceEvent(client: pg.ClientBase, tables: ReadModelTables, sequence: number, event: DeviceEvent): Promise<ChangeOutcome | null> {
  if (event.type === 'DeviceAnnounced') {
    await applyAnnouncement(client, tables, sequence, event);
    return null;
  }
  const { commandId } = event.data;
  const seen = await client.query(`SELECT 1 FROM ${tables.changeResults} WHERE command_id = $1`, [commandId]);
  if (seen.rowCount) return { commandId, sequence, affected: 0, applied: false };
  const affected = await applyCommand(client, tables, sequence, event);
  await client.query(
    `INSERT INTO ${tables.changeResults} (command_id, sequence, event_type, actor, affected, applied_at) VALUES ($1, $2, $3, $4, $5, $6)`,
    [commandId, sequence, event.type, event.actor, affected, event.occurredAt],
  );
  if (tables.notifyChanges) await client.query('SELECT pg_notify($1, $2)', [CHANGE_APPLIED_CHANNEL, commandId]);
  return { commandId, sequence, affected, applied: true };
}
