/**
 * `deviceLogged`: log lines as devices publish them. One ordered consumer on `<prefix>.log.>`
 * per API process, shared by every subscriber (SharedStream), each line filed under the four
 * keys its device code and number make with `*`, so a subscriber's filter costs a map look-up
 * per line. A
 * subscriber may resume after a stream sequence it has seen: the lines stored since are read
 * back from the log stream first (as long as the stream still keeps them), then live ones
 * follow, with no gap and no duplicate.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { atLeastLevel, decodeLogMessage, logSubjects, type DeviceLogLine, type LogLevel } from '../../../schema/src/logs.ts';
import type { Logger } from '../../../schema/src/log.ts';
import type { StreamNames } from '../../../schema/src/subjects.ts';
import { scanLogLines } from '../core/logs/scan.ts';
import type { BoundedQueue } from './bounded-queue.ts';
import { endingWith, type LiveService, type Subscriber } from './service.ts';
import { SharedStream, type Sequenced } from './shared-stream.ts';

export interface DeviceLogFilter {
  deviceCode?: string;
  deviceNumber?: number;
  minLevel?: LogLevel;
}

const ANY = '*';
const REPLAY_BATCH = 500;
const keyOf = (deviceCode: string | undefined, deviceNumber: number | undefined) => `${deviceCode ?? ANY}|${deviceNumber ?? ANY}`;

export class DeviceLogFeed {
  readonly lines: SharedStream<DeviceLogLine>;

  constructor(
    private readonly nc: NatsConnection,
    private readonly names: StreamNames,
    logger: Logger,
  ) {
    this.lines = new SharedStream<DeviceLogLine>(
      nc,
      {
        stream: names.logStream,
        subject: logSubjects.filter(names.prefix),
        decode: (message) => {
          const decoded = decodeLogMessage(message, names.prefix);
          return decoded.ok ? decoded.line : null;
        },
        keysOf: (line) => [keyOf(line.deviceCode, line.deviceNumber), keyOf(line.deviceCode, undefined), keyOf(undefined, line.deviceNumber), keyOf(undefined, undefined)],
      },
      logger,
    );
  }

  /**
   * Matching lines as they are stored; with `afterSequence`, first those stored after it. The feed
   * ends (and leaves the shared consumer) as soon as the subscriber does, however quiet its filter.
   */
  follow(live: LiveService, subscriber: Subscriber, filter: DeviceLogFilter, afterSequence: number | null): AsyncIterableIterator<DeviceLogLine> {
    const minLevel = filter.minLevel ?? 'debug';
    const queue = live.openQueue<Sequenced<DeviceLogLine>>(subscriber);
    // Live first, then the lines stored up to the head as it stands once live delivery is certain;
    // the overlap is dropped by sequence.
    const unsubscribe = this.lines.subscribe(keyOf(filter.deviceCode, filter.deviceNumber), (e) => {
      if (atLeastLevel(e.event.level, minLevel)) queue.push(e);
    });
    queue.onEnd(unsubscribe);
    return endingWith(queue, this.feed(queue, filter, minLevel, afterSequence));
  }

  private async *feed(queue: BoundedQueue<Sequenced<DeviceLogLine>>, filter: DeviceLogFilter, minLevel: LogLevel, afterSequence: number | null): AsyncGenerator<DeviceLogLine> {
    try {
      let last = afterSequence ?? 0;
      if (afterSequence !== null) {
        await this.lines.ready;
        const head = (await (await jetstreamManager(this.nc)).streams.info(this.names.logStream)).state.last_seq;
        yield* this.stored(filter, minLevel, afterSequence, head);
        last = Math.max(last, head);
      }
      for await (const line of queue) {
        if (line.sequence > last) yield line.event;
      }
    } finally {
      await queue.return();
    }
  }

  /** The matching lines stored in (after, until], read back from the log stream a batch at a time. */
  private async *stored(filter: DeviceLogFilter, minLevel: LogLevel, after: number, until: number): AsyncGenerator<DeviceLogLine> {
    const subject = logSubjects.filter(this.names.prefix, filter.deviceCode, filter.deviceNumber);
    for (let from = after; from < until; ) {
      const batch: DeviceLogLine[] = [];
      const scan = await scanLogLines(this.nc, this.names, subject, { afterSequence: from }, (line) => {
        if (atLeastLevel(line.level, minLevel)) batch.push(line);
        return batch.length < REPLAY_BATCH;
      }, { untilSequence: until });
      yield* batch;
      if (batch.length < REPLAY_BATCH) return;
      from = scan.lastSequence;
    }
  }

  stop(): Promise<void> {
    return this.lines.stop();
  }
}
