/**
 * `alarmChanged`: every step of an alarm's life (raised, acknowledged, cleared) as the alarm
 * projector records it. Raised and cleared alarms are decisions of the projector, not stream
 * events (schema/src/alarms.ts), so the feed follows the `alarm_history` table: one follower
 * per API process, woken by the projector's NOTIFY at commit and polling once a second as a
 * fallback, hands each new entry to the subscribers. Any number of API processes can serve it:
 * each follows the table itself. A subscriber may resume after a position it has seen.
 */
import type pg from 'pg';
import { ALARM_CHANGED_CHANNEL } from '../../../schema/src/alarms.ts';
import type { Logger } from '../../../schema/src/log.ts';
import { findAlarm, historySince, latestHistoryPosition, type AlarmHistoryRow, type AlarmRow } from '../core/alarms/queries.ts';
import { badInput } from '../core/errors.ts';
import type { LiveService, Subscriber } from './service.ts';

export interface AlarmChange extends AlarmHistoryRow {
  /** The alarm as it is once this step was recorded (or later). */
  alarm: AlarmRow;
}

export interface AlarmChangeFilter {
  severity?: string;
  deviceCode?: string;
  deviceNumber?: number;
  ruleId?: string;
}

type Position = [number, number];
const after = (a: Position, b: Position) => a[0] > b[0] || (a[0] === b[0] && a[1] > b[1]);
const PAGE = 500;

export function parsePosition(position: string): Position {
  const match = /^(\d{1,15}):(\d{1,6})$/.exec(position);
  if (!match) throw badInput('afterPosition must be a position alarmChanged gave, like "1234:0"', 'afterPosition');
  return [Number(match[1]), Number(match[2])];
}

export class AlarmFeed {
  private readonly sinks = new Set<(change: AlarmChange) => void>();
  private listener: pg.PoolClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started: Promise<void> | null = null;
  private polling: Promise<void> | null = null;
  private again = false;
  /** Newest position handed out. */
  last: Position = [0, -1];

  constructor(
    private readonly db: pg.Pool,
    private readonly logger: Logger,
    private readonly everyMs = 1000,
  ) {}

  /** Files a sink; resolves once every later change reaches it. Returns the function that removes it. */
  async subscribe(sink: (change: AlarmChange) => void): Promise<() => void> {
    this.sinks.add(sink);
    // A failed start (database away) is tried again by the next subscriber.
    this.started ??= this.start().catch((error: unknown) => {
      this.started = null;
      throw error;
    });
    try {
      await this.started;
    } catch (error) {
      this.sinks.delete(sink);
      throw error;
    }
    return () => {
      this.sinks.delete(sink);
    };
  }

  private async start(): Promise<void> {
    this.last = await latestHistoryPosition(this.db);
    this.timer = setInterval(() => this.wake(), this.everyMs);
    try {
      const client = await this.db.connect();
      client.on('notification', () => this.wake());
      client.on('error', (error) => {
        this.logger.warn({ err: error }, 'alarm feed lost its LISTEN connection; polling only');
        this.listener = null;
      });
      await client.query(`LISTEN ${ALARM_CHANGED_CHANNEL}`);
      this.listener = client;
    } catch (error) {
      this.logger.warn({ err: error }, 'alarm feed cannot LISTEN; polling only');
    }
  }

  private wake(): void {
    if (this.sinks.size === 0) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    this.polling = this.poll()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'alarm feed poll failed'))
      .finally(() => {
        this.polling = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async poll(): Promise<void> {
    for (;;) {
      const rows = await historySince(this.db, this.last, PAGE);
      for (const change of await withAlarms(this.db, rows)) {
        this.last = [change.sequence, Number(change.position.split(':')[1])];
        for (const sink of this.sinks) sink(change);
      }
      if (rows.length < PAGE) return;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sinks.clear();
    this.listener?.release();
    this.listener = null;
  }
}

async function withAlarms(db: pg.Pool, rows: AlarmHistoryRow[]): Promise<AlarmChange[]> {
  const alarms = new Map<string, AlarmRow>();
  for (const id of new Set(rows.map((r) => r.alarmId))) {
    const alarm = await findAlarm(db, id);
    if (alarm) alarms.set(id, alarm);
  }
  return rows.flatMap((row) => {
    const alarm = alarms.get(row.alarmId);
    return alarm ? [{ ...row, alarm }] : [];
  });
}

function matches(filter: AlarmChangeFilter, alarm: AlarmRow): boolean {
  return (
    (filter.severity === undefined || alarm.severity === filter.severity) &&
    (filter.deviceCode === undefined || alarm.deviceCode === filter.deviceCode) &&
    (filter.deviceNumber === undefined || alarm.deviceNumber === filter.deviceNumber) &&
    (filter.ruleId === undefined || alarm.ruleId === filter.ruleId)
  );
}

/** Live changes of matching alarms; with `afterPosition`, first those recorded after it (no gap, no duplicate). */
export async function* alarmChanged(live: LiveService, feed: AlarmFeed, db: pg.Pool, subscriber: Subscriber, filter: AlarmChangeFilter, afterPosition: string | null): AsyncGenerator<AlarmChange> {
  const from = afterPosition === null ? null : parsePosition(afterPosition);
  const queue = live.openQueue<AlarmChange>(subscriber);
  try {
    const unsubscribe = await feed.subscribe((change) => {
      if (matches(filter, change.alarm)) queue.push(change);
    });
    queue.onEnd(unsubscribe);
    let last: Position = feed.last;
    if (from) {
      // Replay up to where the feed stood when we joined it; the feed delivers what follows.
      const until = feed.last;
      let cursor = from;
      while (after(until, cursor)) {
        const rows = (await historySince(db, cursor, PAGE)).filter((r) => !after([r.sequence, r.ordinal], until));
        if (rows.length === 0) break;
        for (const change of await withAlarms(db, rows)) if (matches(filter, change.alarm)) yield change;
        const tail = rows.at(-1)!;
        cursor = [tail.sequence, tail.ordinal];
      }
      last = until;
    }
    for await (const change of queue) {
      const position = parsePosition(change.position);
      if (after(position, last)) yield change;
    }
  } finally {
    await queue.return();
  }
}
