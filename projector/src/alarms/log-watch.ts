/**
 * LOG_LEVEL rules watch device logs, which live in a stream of their own that expires
 * (schema/src/logs.ts): not something a replay can rely on. So this watcher copies each log
 * line at error level or worse, of a device some LOG_LEVEL rule covers, into the domain stream
 * as a `DeviceErrorLogged` event; the alarm evaluator raises the alarm from that event, and a
 * rebuild replays it like any other. The copy is the fact; what the rules made of it follows.
 *
 * A durable consumer of the log stream (shared by every projector process: each line goes to
 * one of them), starting with the lines that arrive after it was first created. Each copy's
 * Nats-Msg-Id derives from the line's log sequence, so a line redelivered (a crash between
 * publish and ack) is stored once within the duplicate window.
 */
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import { ALARM_LOG_CONSUMER, ALARM_LOG_LEVELS, atLeastLevel, decodeLogMessage, logSubjects, storedAtMs, type DeviceLogLine, type LogLevel, type StreamNames } from '../../../schema/src/index.ts';
import type { Logger } from '../../../schema/src/log.ts';
import { publishEvent } from '../../../schema/src/publish.ts';
import { isNotFound } from '../../../schema/src/stream.ts';

interface LogRule {
  deviceCode: string | null;
  deviceNumber: number | null;
  level: LogLevel;
}

/** How long the LOG_LEVEL rules read from Postgres are reused before they are read again. */
const RULES_TTL_MS = 2000;

export function watchedBy(rules: readonly LogRule[], line: Pick<DeviceLogLine, 'deviceCode' | 'deviceNumber' | 'level'>): boolean {
  return rules.some(
    (r) => (r.deviceCode === null || r.deviceCode === line.deviceCode) && (r.deviceNumber === null || r.deviceNumber === line.deviceNumber) && atLeastLevel(line.level, r.level),
  );
}

export interface LogWatch {
  stop(): Promise<void>;
}

export function startLogWatch(names: StreamNames, deps: { nc: NatsConnection; db: pg.Pool; logger: Logger }): LogWatch {
  const { nc, db, logger } = deps;
  const js = jetstream(nc);
  let stopping = false;
  let stopConsumer: (() => void) | null = null;
  let rules: { at: number; rules: LogRule[] } | null = null;

  async function currentRules(): Promise<LogRule[]> {
    if (rules && Date.now() - rules.at < RULES_TTL_MS) return rules.rules;
    const result = await db.query<{ device_code: string | null; device_number: number | null; level: LogLevel }>(
      `SELECT device_code, device_number, condition->>'level' AS level FROM alarm_rules WHERE condition->>'kind' = 'LOG_LEVEL'`,
    );
    rules = { at: Date.now(), rules: result.rows.map((r) => ({ deviceCode: r.device_code, deviceNumber: r.device_number, level: r.level ?? ALARM_LOG_LEVELS[0] })) };
    return rules.rules;
  }

  async function handle(message: JsMsg): Promise<void> {
    const decoded = decodeLogMessage({ subject: message.subject, data: message.data, sequence: message.seq, storedAtMs: storedAtMs(message.timestampNanos) }, names.prefix);
    if (!decoded.ok || !atLeastLevel(decoded.line.level, 'error')) return;
    const line = decoded.line;
    if (!watchedBy(await currentRules(), line)) return;
    const id = `log-${names.logStream}-${line.sequence}`;
    await publishEvent(js, names.prefix, {
      type: 'DeviceErrorLogged',
      version: 1,
      id,
      // The server's time of the line, not the device's clock: the alarm clock moves with the stream.
      occurredAt: line.receivedAt,
      data: { deviceCode: line.deviceCode, deviceNumber: line.deviceNumber, level: line.level, message: line.message.slice(0, 4000), logSequence: line.sequence },
    });
  }

  async function consume(): Promise<void> {
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.consumers.info(names.logStream, ALARM_LOG_CONSUMER);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await jsm.consumers.add(names.logStream, {
        durable_name: ALARM_LOG_CONSUMER,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.New,
        filter_subject: logSubjects.filter(names.prefix),
        ack_wait: 30_000_000_000,
        max_ack_pending: 1000,
      });
    }
    const messages = await (await js.consumers.get(names.logStream, ALARM_LOG_CONSUMER)).consume({ max_messages: 500 });
    stopConsumer = () => messages.stop();
    for await (const message of messages) {
      try {
        await handle(message);
        message.ack();
      } catch (error) {
        logger.warn({ err: error, logSequence: message.seq }, 'could not copy an error log line; it will be retried');
        message.nak(1000);
      }
    }
  }

  const running = (async () => {
    while (!stopping) {
      try {
        await consume();
      } catch (error) {
        if (stopping) return;
        logger.warn({ err: error }, 'log watch for alarms failed; restarting');
      }
      if (!stopping) await new Promise((r) => setTimeout(r, 1000));
    }
  })();

  return {
    async stop() {
      stopping = true;
      stopConsumer?.();
      await running;
    },
  };
}
