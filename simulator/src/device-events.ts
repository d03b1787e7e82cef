/**
 * Device commands and target assignments reach a simulator as events on the stream
 * (`<prefix>.device.command.<code>.<number>`, `<prefix>.device.target.<code>.<number>`).
 * It obeys those for its own devices: live, and after a restart from the stream's history.
 *
 * At start it reads the history with two ordered consumers, one after the other:
 * - `<prefix>.device.target.>`, last per subject: a target is never taken away, so the latest
 *   assignment per device tells all there is to know (that it has one);
 * - `<prefix>.device.command.>`, from the start. The last command per device would not do: a
 *   SET_INTERVAL followed by a SLEEP leaves the device asleep on its own interval, which it must
 *   keep when woken, and last-per-subject would return only the SLEEP. Commands are made by people
 *   and few, so replaying them all is cheap; the consumers never read a reading.
 * Live, it has one core subscription per tree, made before the replay and held back until the
 * replay is done; an event seen in both acts once (by its command id), so nothing falls between
 * the two. After a reconnect the replay runs again, live events held back meanwhile, so a command
 * stored while this instance was cut off from NATS is not missed either.
 */
import { DeliverPolicy, jetstream } from '@nats-io/jetstream';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { decodeEvent } from '../../schema/src/events.ts';
import type { Logger } from '../../schema/src/log.ts';
import { eventSubject } from '../../schema/src/publish.ts';
import type { Simulator } from './simulator.ts';

export interface DeviceEventsOptions {
  stream: string;
  subjectPrefix: string;
  logger: Pick<Logger, 'debug' | 'info' | 'warn'>;
  /** Wait between attempts to replay the history after a reconnect. */
  retryMs?: number;
}

export interface DeviceEventFollower {
  /** Resolves once a replay after a reconnect is done (at once when none is running); tests wait on it. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

/** Only readings carry a measurement time to judge; device events have none. */
const DECODE_OPTIONS = { maxFutureMs: Number.POSITIVE_INFINITY };
const FETCH_BATCH = 1000;
const FETCH_EXPIRES_MS = 5000;
const DEFAULT_RETRY_MS = 1000;

type Origin = 'replay' | 'live';

/** Follows the device events of `simulator`'s devices; resolves once the history is applied and live events flow. */
export async function followDeviceEvents(nc: NatsConnection, simulator: Simulator, options: DeviceEventsOptions): Promise<DeviceEventFollower> {
  const { logger, subjectPrefix: prefix } = options;
  const js = jetstream(nc);
  /** Live events held back while the history is being replayed; null while they apply at once. */
  let held: { subject: string; data: Uint8Array }[] | null = [];
  let stopped = false;

  function handle(subject: string, data: Uint8Array, origin: Origin): void {
    // `<prefix>.device.<kind>.<code>.<number>`: most events are for other instances' devices, and cost no parsing.
    const [, , , deviceCode, deviceNumber] = subject.split('.');
    if (deviceCode === undefined || deviceNumber === undefined || !simulator.ownsDevice(deviceCode, Number(deviceNumber))) return;
    const decoded = decodeEvent(data, DECODE_OPTIONS);
    if (!decoded.ok) {
      logger.warn({ subject, origin, reason: decoded.reason, detail: decoded.detail }, 'ignoring an invalid device event');
      return;
    }
    const event = decoded.event;
    if ((event.type !== 'DeviceCommandIssued' && event.type !== 'DeviceTargetAssigned') || eventSubject(prefix, event) !== subject) {
      logger.warn({ subject, origin, eventType: event.type, eventId: event.id }, 'ignoring a device event that does not belong on its subject');
      return;
    }
    const outcome = simulator.applyDeviceEvent(event);
    if (outcome !== 'applied') return;
    const details = { origin, deviceCode, deviceNumber: Number(deviceNumber), commandId: event.data.commandId, actor: event.actor };
    const what = event.type === 'DeviceTargetAssigned' ? { target: event.data.target.name } : { command: event.data.command, intervalSeconds: event.data.intervalSeconds, logLevel: event.data.logLevel };
    if (origin === 'live') logger.info({ ...details, ...what }, 'device event applied');
    else logger.debug({ ...details, ...what }, 'device event replayed');
  }

  async function replay(filter: string, deliverPolicy: DeliverPolicy): Promise<void> {
    const consumer = await js.consumers.get(options.stream, { filter_subjects: filter, deliver_policy: deliverPolicy });
    try {
      let pending = (await consumer.info(true)).num_pending;
      while (pending > 0) {
        let received = 0;
        // Never ask for more than remain: a fetch waits for its full count until it expires.
        for await (const m of await consumer.fetch({ max_messages: Math.min(FETCH_BATCH, pending), expires: FETCH_EXPIRES_MS })) {
          received++;
          pending = m.info.pending;
          handle(m.subject, m.data, 'replay');
        }
        if (received === 0) throw new Error(`replaying ${filter}: ${pending} events pending, none arrived within ${FETCH_EXPIRES_MS} ms`);
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }

  /** Replays the history, then applies the live events held back meanwhile and lets the next ones through. */
  async function catchUp(): Promise<void> {
    held ??= [];
    await replay(`${prefix}.device.target.>`, DeliverPolicy.LastPerSubject);
    await replay(`${prefix}.device.command.>`, DeliverPolicy.All);
    const events = held;
    held = null;
    for (const { subject, data } of events) handle(subject, data, 'live');
  }

  let resyncing: Promise<void> | null = null;
  let resyncAgain = false;
  /** After a reconnect: replays until one replay succeeds with no reconnect during it. */
  function resync(): Promise<void> {
    resyncAgain = true;
    resyncing ??= (async () => {
      while (resyncAgain && !stopped) {
        resyncAgain = false;
        try {
          await catchUp();
        } catch (error) {
          if (stopped) break;
          logger.warn({ err: error }, 'cannot replay device events after a reconnect; retrying');
          resyncAgain = true;
          await new Promise((resolve) => setTimeout(resolve, options.retryMs ?? DEFAULT_RETRY_MS));
        }
      }
      resyncing = null;
    })();
    return resyncing;
  }

  const subscriptions: Subscription[] = (['command', 'target'] as const).map((kind) =>
    nc.subscribe(`${prefix}.device.${kind}.>`, {
      callback: (error, msg) => {
        if (error) logger.warn({ err: error, kind }, 'device event subscription failed');
        else if (held) held.push({ subject: msg.subject, data: msg.data });
        else handle(msg.subject, msg.data, 'live');
      },
    }),
  );
  void (async () => {
    for await (const status of nc.status()) {
      if (stopped) break;
      // Hold live events from the moment the connection drops: nothing that arrives after the reconnect may overtake the replay.
      if (status.type === 'disconnect') held ??= [];
      else if (status.type === 'reconnect') void resync();
    }
  })();
  const follower: DeviceEventFollower = {
    settled: async () => {
      while (resyncing) await resyncing;
    },
    async stop() {
      stopped = true;
      for (const subscription of subscriptions) subscription.unsubscribe();
      await resyncing;
    },
  };
  try {
    // The server has the subscriptions before the replay begins: an event stored after the replay's end arrives live.
    await nc.flush();
    await catchUp();
  } catch (error) {
    await follower.stop();
    throw error;
  }
  return follower;
}
