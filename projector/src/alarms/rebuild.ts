/**
 * Rebuilding the alarms: the stream replayed from its first event through the same evaluator,
 * from an empty memory, into fresh tables that are then swapped in (the readings rebuild's
 * machinery, on the alarm tables). Alarms are a function of the stream, so the result equals
 * the live tables: `alarmChecksum` shows it. The live alarm projector may keep running: the swap
 * waits for its batch in hand, and it reads its memory back from the new tables.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { ensureCheckpoint, lockCheckpoint, setCheckpoint } from '../checkpoint.ts';
import { tableChecksum } from '../readings/checksum.ts';
import { replayBatches, StreamReader, type RebuildConfig } from '../rebuild/rebuild.ts';
import { createRebuildTables, dropRebuildTables, swapInRebuildTables } from '../rebuild/tables.ts';
import { emptyState, type EvaluatorState } from './evaluate.ts';
import { alarmCheckpointName } from './projector.ts';
import { applyAlarmEvents } from './store.ts';
import { alarmTableList, LIVE_ALARM_TABLES, REBUILD_ALARM_TABLES, type AlarmTables } from './tables.ts';

export async function alarmChecksum(client: pg.ClientBase | pg.Pool, tables: AlarmTables = LIVE_ALARM_TABLES): Promise<string> {
  return [
    await tableChecksum(client, tables.rules, ['id', 'name', 'sensor_type', 'device_code', 'device_number', 'severity', 'condition', 'created_by', 'created_at', 'updated_by', 'updated_at', 'changed_sequence']),
    await tableChecksum(client, tables.alarms, [
      'id', 'rule_id', 'rule_name', 'severity', 'condition_kind', 'sensor_type', 'device_code', 'device_number', 'status', 'raised_sequence', 'raised_ordinal',
      'raised_at', 'value', 'detail', 'acknowledged_at', 'acknowledged_by', 'acknowledge_comment', 'cleared_at', 'cleared_by', 'clear_detail',
    ]),
    await tableChecksum(client, tables.history, ['sequence', 'ordinal', 'alarm_id', 'kind', 'at', 'actor', 'detail']),
    await tableChecksum(client, tables.state, ['key', 'state']),
    await tableChecksum(client, tables.commandResults, ['command_id', 'sequence', 'event_type', 'actor', 'affected', 'applied_at']),
  ].join('/');
}

/** Replays (from, until] into the rebuild tables; each batch its own transaction unless `inTransaction` (the swap's). */
const replay = (client: pg.ClientBase, reader: StreamReader, config: RebuildConfig, state: EvaluatorState, from: number, until: number, inTransaction = false) =>
  replayBatches(reader, config, from, until, async (events) => {
    if (!inTransaction) await client.query('BEGIN');
    await applyAlarmEvents(client, REBUILD_ALARM_TABLES, state, events);
    if (!inTransaction) await client.query('COMMIT');
  });

export async function rebuildAlarms(config: RebuildConfig, deps: { nc: NatsConnection }): Promise<{ checkpoint: number; checksum: string }> {
  const client = new pg.Client({ connectionString: config.databaseUrl, application_name: 'rebuild-alarms', options: '-c jit=off' });
  await client.connect();
  const live = alarmTableList(LIVE_ALARM_TABLES);
  const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [`rebuild-alarms:${config.names.stream}`]);
  if (!locked.rows[0]?.ok) {
    await client.end();
    throw new Error(`another rebuild of the alarms of ${config.names.stream} is running`);
  }
  let reader: StreamReader | undefined;
  try {
    const jsm = await jetstreamManager(deps.nc);
    const head = (await jsm.streams.info(config.names.stream)).state.last_seq;
    await createRebuildTables(client, live);
    reader = await StreamReader.open(deps.nc, config.names.stream);
    const state = emptyState();
    let position = await replay(client, reader, config, state, 0, head);

    await client.query('BEGIN');
    const name = alarmCheckpointName(config.names);
    await ensureCheckpoint(client, name);
    const current = await lockCheckpoint(client, name);
    await client.query(`LOCK TABLE ${live.join(', ')} IN ACCESS EXCLUSIVE MODE`);
    const now = (await jsm.streams.info(config.names.stream)).state.last_seq;
    if (current > position && current <= now) {
      position = await replay(client, reader, config, state, position, current, true);
    }
    await swapInRebuildTables(client, live);
    await setCheckpoint(client, name, position);
    await client.query('COMMIT');
    return { checkpoint: position, checksum: await alarmChecksum(client) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    await dropRebuildTables(client, live).catch(() => undefined);
    throw error;
  } finally {
    await reader?.stop().catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
