/**
 * `npm run rebuild`: replays the stream from its first event into fresh tables with
 * the projector's own handler, then swaps them in. The live projector may keep running:
 * the swap waits for its batch in hand, applies whatever it committed since the replay
 * caught up, and the projector carries on against the new tables.
 */
import { DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { storedAtMs } from '../../../schema/src/stored.ts';
import type { StreamNames } from '../../../schema/src/subjects.ts';
import { decodeBatch } from '../batch.ts';
import { ensureCheckpoint, lockCheckpoint, setCheckpoint } from '../checkpoint.ts';
import { checkpointName } from '../projector.ts';
import { applyEvents, type PositionedEvent } from '../readings/apply.ts';
import { readModelChecksum } from '../readings/checksum.ts';
import { LIVE_TABLES, REBUILD_TABLES } from '../readings/tables.ts';
import { createRebuildTables, dropRebuildTables, swapInRebuildTables } from './tables.ts';

export interface RebuildConfig {
  databaseUrl: string;
  names: StreamNames;
  batchSize: number;
  maxFutureMs: number;
}

export interface RebuildProgress {
  done: number;
  total: number;
  eventsPerSecond: number;
}

export interface RebuildResult {
  events: number;
  checkpoint: number;
  checksum: string;
  seconds: number;
}

/** Reads the stream in order from sequence 1 and hands out batches up to a given sequence. */
export class StreamReader {
  private buffer: JsMsg[] = [];
  private constructor(private readonly iterator: AsyncIterator<JsMsg>, private readonly close: () => Promise<unknown>) {}

  static async open(nc: NatsConnection, stream: string): Promise<StreamReader> {
    const consumer = await jetstream(nc).consumers.get(stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: 1 });
    const messages = await consumer.consume({ max_messages: 10_000 });
    return new StreamReader(messages[Symbol.asyncIterator](), async () => messages.stop());
  }

  /** The next messages in order, at most `max`, none past `until`. */
  async next(max: number, until: number): Promise<JsMsg[]> {
    const batch: JsMsg[] = [];
    while (batch.length < max) {
      const message = this.buffer.shift() ?? (await this.iterator.next()).value;
      if (!message) break;
      if (message.seq > until) {
        this.buffer.unshift(message);
        break;
      }
      batch.push(message);
      if (message.seq === until) break;
    }
    return batch;
  }

  async stop(): Promise<void> {
    await this.close();
  }
}

/**
 * Reads the stream's (from, until] in batches of `config.batchSize`, decodes each batch and hands
 * its events to `apply` with the batch's last sequence; returns the last sequence read. The readings
 * rebuild and the alarms rebuild both replay through it.
 */
export async function replayBatches(
  reader: StreamReader,
  config: RebuildConfig,
  from: number,
  until: number,
  apply: (events: PositionedEvent[], lastSequence: number) => Promise<void>,
): Promise<number> {
  let position = from;
  while (position < until) {
    const messages = await reader.next(config.batchSize, until);
    if (messages.length === 0) break;
    const batch = decodeBatch(
      messages.map((m) => ({ sequence: m.seq, subject: m.subject, data: m.data, storedAtMs: storedAtMs(m.timestampNanos) })),
      { maxFutureMs: config.maxFutureMs, prefix: config.names.prefix },
    );
    await apply(batch.events, batch.lastSequence);
    position = batch.lastSequence;
  }
  return position;
}

const replay = (client: pg.ClientBase, reader: StreamReader, config: RebuildConfig, from: number, until: number, progress: (done: number) => void) =>
  replayBatches(reader, config, from, until, async (events, lastSequence) => {
    await applyEvents(client, REBUILD_TABLES, events);
    progress(lastSequence);
  });

export async function rebuildReadModels(
  config: RebuildConfig,
  deps: { nc: NatsConnection; onProgress?: (progress: RebuildProgress) => void },
): Promise<RebuildResult> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: config.databaseUrl, application_name: 'rebuild', options: '-c jit=off' });
  await client.connect();
  const lockKey = `rebuild:${config.names.stream}`;
  const locked = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [lockKey]);
  if (!locked.rows[0]?.ok) {
    await client.end();
    throw new Error(`another rebuild of ${config.names.stream} is running`);
  }
  let reader: StreamReader | undefined;
  try {
    const info = await (await jetstreamManager(deps.nc)).streams.info(config.names.stream);
    const head = info.state.last_seq;
    await createRebuildTables(client);
    reader = await StreamReader.open(deps.nc, config.names.stream);
    const report = (done: number) => {
      const seconds = (performance.now() - started) / 1000;
      deps.onProgress?.({ done, total: head, eventsPerSecond: seconds > 0 ? done / seconds : 0 });
    };
    let position = await replay(client, reader, config, 0, head, report);

    await client.query('BEGIN');
    // Checkpoint row first, tables second: the same order as the projector's batches, so no deadlock.
    await ensureCheckpoint(client, checkpointName(config.names));
    const live = await lockCheckpoint(client, checkpointName(config.names));
    await client.query(`LOCK TABLE ${LIVE_TABLES.readings}, ${LIVE_TABLES.changeResults} IN ACCESS EXCLUSIVE MODE`);
    // Catch up with what the live projector applied meanwhile. A checkpoint beyond the stream's end
    // means the stream was reset: the rebuilt tables (and the checkpoint) then follow the stream.
    const now = (await (await jetstreamManager(deps.nc)).streams.info(config.names.stream)).state.last_seq;
    if (live > position && live <= now) position = await replay(client, reader, config, position, live, report);
    await swapInRebuildTables(client);
    await setCheckpoint(client, checkpointName(config.names), position);
    await client.query('COMMIT');
    const checksum = await readModelChecksum(client, LIVE_TABLES);
    return { events: position, checkpoint: position, checksum, seconds: (performance.now() - started) / 1000 };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    await dropRebuildTables(client).catch(() => undefined);
    throw error;
  } finally {
    await reader?.stop().catch(() => undefined);
    await client.end().catch(() => undefined);
  }
}
