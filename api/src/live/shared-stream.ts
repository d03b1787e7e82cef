/**
 * One ordered JetStream consumer per subject pattern per API process, shared by every
 * client who wants it: events are decoded once and handed to the subscribers filed
 * under the keys each event matches. An ordered consumer carries the stream sequence
 * (so clients can resume) and re-creates itself after a NATS restart.
 */
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../../../schema/src/log.ts';
import { storedAtMs, type StoredMessage } from '../../../schema/src/stored.ts';

export interface Sequenced<T> {
  sequence: number;
  event: T;
}

type Sink<T> = (event: Sequenced<T>) => void;

export interface SharedStreamOptions<T> {
  stream: string;
  subject: string;
  /** Turns a stored message into the event subscribers get; null skips it. May wait (changes wait to be applied). */
  decode: (message: StoredMessage) => T | null | Promise<T | null>;
  keysOf: (event: T) => string[];
}

export class SharedStream<T> {
  private readonly sinks = new Map<string, Set<Sink<T>>>();
  private running: Promise<void> | null = null;
  private stopper: (() => void) | null = null;
  private markReady: () => void = () => undefined;
  /** Resolves once the consumer exists: every event stored after that reaches the subscribers. */
  readonly ready: Promise<void> = new Promise((resolve) => (this.markReady = resolve));
  private stopped = false;
  /** Sequence of the newest event handed out. */
  lastSequence = 0;

  constructor(
    private readonly nc: NatsConnection,
    private readonly options: SharedStreamOptions<T>,
    private readonly logger: Logger,
  ) {}

  /** Files a sink under a key; returns the function that removes it. Starts the consumer on first use. */
  subscribe(key: string, sink: Sink<T>): () => void {
    const set = this.sinks.get(key) ?? new Set();
    set.add(sink);
    this.sinks.set(key, set);
    this.running ??= this.run();
    return () => {
      set.delete(sink);
      if (set.size === 0) this.sinks.delete(key);
    };
  }

  get subscriberCount(): number {
    let n = 0;
    for (const set of this.sinks.values()) n += set.size;
    return n;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        // After a failure, carry on from the last event handed out rather than from "now".
        const from = this.lastSequence
          ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.lastSequence + 1 }
          : { deliver_policy: DeliverPolicy.New };
        const consumer = await jetstream(this.nc).consumers.get(this.options.stream, { filter_subjects: this.options.subject, ...from });
        const messages = await consumer.consume({ max_messages: 2000 });
        this.stopper = () => messages.stop();
        this.markReady();
        for await (const message of messages) {
          const decoded = this.options.decode({ subject: message.subject, data: message.data, sequence: message.seq, storedAtMs: storedAtMs(message.timestampNanos) });
          const event = decoded instanceof Promise ? await decoded : decoded;
          this.lastSequence = message.seq;
          if (event === null) continue;
          const sequenced = { sequence: message.seq, event };
          for (const key of this.options.keysOf(event)) {
            const set = this.sinks.get(key);
            if (set) for (const sink of set) sink(sequenced);
          }
        }
      } catch (error) {
        if (this.stopped) return;
        this.logger.warn({ err: error, subject: this.options.subject }, 'live feed consumer failed; restarting');
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopper?.();
    await this.running;
  }
}
