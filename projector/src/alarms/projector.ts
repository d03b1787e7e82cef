/**
 * The alarm projector: a consumer of the domain stream of its own (checkpoint `alarms:<stream>`,
 * durable consumer `projector-alarms`, leader lock), running beside the readings projector in
 * the projector process. It follows the same pattern: one transaction per batch writes the
 * alarm tables, the evaluator's memory and the checkpoint; ack after commit; a failed run
 * restarts from the checkpoint with the memory read back from Postgres.
 *
 * Invalid events are skipped here: the readings projector dead-letters them already.
 * It also runs the log watch that feeds LOG_LEVEL rules (log-watch.ts).
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { ALARM_PROJECTOR_CONSUMER, storedAtMs, type StreamNames } from '../../../schema/src/index.ts';
import type { Logger } from '../../../schema/src/log.ts';
import { decodeBatch, takeContiguous } from '../batch.ts';
import { streamProbe } from '../stream-probe.ts';
import { advanceCheckpoint, ensureCheckpoint, lockCheckpoint, readCheckpoint } from '../checkpoint.ts';
import type { EvaluatorState } from './evaluate.ts';
import { startLogWatch, type LogWatch } from './log-watch.ts';
import { applyAlarmEvents, loadEvaluatorState } from './store.ts';
import { LIVE_ALARM_TABLES } from './tables.ts';

export interface AlarmProjectorConfig {
  databaseUrl: string;
  names: StreamNames;
  batchSize: number;
  maxFutureMs: number;
  retryDelayMs: number;
}

export interface AlarmProjector {
  start(): void;
  stop(): Promise<void>;
  stats(): { leader: boolean; checkpoint: number; decisions: number; restarts: number; lastError: string | null };
  /** Resolves once the checkpoint has reached `sequence`. */
  waitFor(sequence: number, timeoutMs: number): Promise<void>;
}

export const alarmCheckpointName = (names: StreamNames) => `alarms:${names.stream}`;
const leaderLockKey = (names: StreamNames) => `alarm-projector:${names.stream}`;

/** The evaluator's memory is kept between batches; a rebuild swaps the tables, which shows as a new table oid. */
const stateTableOid = async (client: pg.ClientBase) =>
  (await client.query<{ oid: number }>(`SELECT $1::regclass::oid AS oid`, [LIVE_ALARM_TABLES.state])).rows[0]!.oid;

export function buildAlarmProjector(config: AlarmProjectorConfig, deps: { nc: NatsConnection; logger: Logger }): AlarmProjector {
  const { nc, logger } = deps;
  const js = jetstream(nc);
  const stats = { leader: false, checkpoint: 0, decisions: 0, restarts: 0, lastError: null as string | null };
  const waiters = new Set<{ sequence: number; resolve: () => void }>();
  let stopping = false;
  let running: Promise<void> | null = null;
  let wake: (() => void) | null = null;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => (clearTimeout(timer), resolve());
    });
  const notify = () => (wake?.(), (wake = null));

  function settleWaiters(): void {
    for (const waiter of waiters) {
      if (stats.checkpoint >= waiter.sequence) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  async function applyBatch(client: pg.Client, memory: { state: EvaluatorState; oid: number }, messages: JsMsg[]): Promise<number | null> {
    const name = alarmCheckpointName(config.names);
    await client.query('BEGIN');
    try {
      const checkpoint = await lockCheckpoint(client, name);
      const oid = await stateTableOid(client);
      if (oid !== memory.oid) Object.assign(memory, { state: await loadEvaluatorState(client, LIVE_ALARM_TABLES), oid });
      const raw = messages.map((m) => ({ sequence: m.seq, subject: m.subject, data: m.data, storedAtMs: storedAtMs(m.timestampNanos) }));
      const { take, missing } = await takeContiguous(raw, checkpoint, streamProbe(await jetstreamManager(nc), config.names.stream));
      const batch = decodeBatch(take, { maxFutureMs: config.maxFutureMs, prefix: config.names.prefix });
      const summary = await applyAlarmEvents(client, LIVE_ALARM_TABLES, memory.state, batch.events);
      if (take.length) await advanceCheckpoint(client, name, batch.lastSequence, batch.lastEventAt);
      await client.query('COMMIT');
      stats.checkpoint = Math.max(checkpoint, batch.lastSequence);
      stats.decisions += summary.decisions;
      settleWaiters();
      return missing;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async function consumeAsLeader(client: pg.Client): Promise<void> {
    const jsm = await jetstreamManager(nc);
    const name = alarmCheckpointName(config.names);
    await ensureCheckpoint(client, name);
    const checkpoint = await readCheckpoint(client, name);
    const head = (await jsm.streams.info(config.names.stream)).state.last_seq;
    if (checkpoint > head) {
      throw new Error(`the alarms are at sequence ${checkpoint} but stream ${config.names.stream} ends at ${head}: run \`npm run rebuild\` to rebuild them from the stream`);
    }
    // The memory matches the checkpoint it is read with (same snapshot: no batch can commit in between).
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const memory = { state: await loadEvaluatorState(client, LIVE_ALARM_TABLES), oid: await stateTableOid(client) };
    await client.query('COMMIT');
    stats.checkpoint = checkpoint;
    settleWaiters();
    await jsm.consumers.delete(config.names.stream, ALARM_PROJECTOR_CONSUMER).catch(() => undefined);
    await jsm.consumers.add(config.names.stream, {
      durable_name: ALARM_PROJECTOR_CONSUMER,
      ack_policy: AckPolicy.All,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: checkpoint + 1,
      ack_wait: 60_000_000_000,
      max_ack_pending: Math.max(config.batchSize * 3, 1000),
    });
    const consumer = await js.consumers.get(config.names.stream, ALARM_PROJECTOR_CONSUMER);
    let queue: JsMsg[] = [];
    let failure: Error | null = null;
    const messages: ConsumerMessages = await consumer.consume({
      max_messages: Math.max(config.batchSize * 2, 1000),
      abort_on_missing_resource: true,
      callback: (m) => {
        queue.push(m);
        notify();
      },
    });
    void messages.closed().then((e) => {
      failure = e instanceof Error ? e : new Error('the consumer closed');
      notify();
    });
    logger.info({ checkpoint }, 'evaluating alarms as leader');
    try {
      while (!stopping) {
        if (failure) throw failure;
        if (queue.length === 0) {
          await pause(1000);
          continue;
        }
        const take = queue.splice(0, config.batchSize);
        const missing = await applyBatch(client, memory, take);
        if (missing !== null) throw new Error(`message ${missing} was not delivered in order; restarting from the checkpoint`);
        take.at(-1)?.ack();
      }
    } finally {
      messages.stop();
      queue = [];
    }
  }

  async function runLoop(): Promise<void> {
    let delay = config.retryDelayMs;
    while (!stopping) {
      const client = new pg.Client({ connectionString: config.databaseUrl, application_name: 'alarm-projector', options: '-c jit=off' });
      client.on('error', (error) => logger.warn({ err: error }, 'alarm projector database connection lost'));
      try {
        await client.connect();
        let leader = false;
        while (!stopping && !leader) {
          leader = (await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [leaderLockKey(config.names)])).rows[0]?.ok ?? false;
          if (!leader) await pause(500);
        }
        if (!leader) return;
        stats.leader = true;
        await consumeAsLeader(client);
        delay = config.retryDelayMs;
      } catch (error) {
        stats.restarts += 1;
        stats.lastError = (error as Error).message;
        logger.warn({ err: error, retryInMs: delay }, 'alarm projector run failed; restarting from the checkpoint');
        await pause(delay);
        delay = Math.min(delay * 2, 10_000);
      } finally {
        stats.leader = false;
        await client.end().catch(() => undefined);
      }
    }
  }

  // LOG_LEVEL rules: error lines copied from the log stream into the domain stream (log-watch.ts).
  let logWatch: { watch: LogWatch; db: pg.Pool } | null = null;

  return {
    start() {
      if (running) return;
      running = runLoop();
      const db = new pg.Pool({ connectionString: config.databaseUrl, max: 1, application_name: 'alarm-log-watch' });
      db.on('error', (error) => logger.warn({ err: error }, 'alarm log watch database connection failed'));
      logWatch = { db, watch: startLogWatch(config.names, { nc, db, logger }) };
    },
    async stop() {
      stopping = true;
      notify();
      await Promise.all([running, logWatch?.watch.stop()]);
      await logWatch?.db.end();
    },
    stats: () => ({ ...stats }),
    waitFor(sequence, timeoutMs) {
      if (stats.checkpoint >= sequence) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const waiter = { sequence, resolve: () => (clearTimeout(timer), resolve()) };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`alarm projector did not reach sequence ${sequence} within ${timeoutMs} ms (at ${stats.checkpoint})`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
  };
}
