/**
 * The auditor's view of the stream: the events for a device, a time range, an actor or an
 * event type, read from JetStream (not the read model). One reader for `npm run events` and
 * the `auditEvents` query.
 *
 * What `device` means: readings of that device, device events about it (announced, target,
 * command, and any later event type whose `data` names `deviceCode`/`deviceNumber`), and
 * changes by filter whose filter names it (its code, and its number or no number). A change
 * whose filter leaves the device code out is not listed, although it may have touched the device.
 *
 * Times (`from`, `to`, both inclusive) are when the stream stored the event, as
 * `nats stream view --since` counts them; the reading's own `timestamp` is in its data.
 */
import { DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { EVENT_TYPES } from './events.ts';
import { DEVICE_CODE_PATTERN, DEVICE_NUMBER_MAX, SENSOR_TYPES, type SensorType } from './sensors.ts';
import { decodeStored, storedAtMs } from './stored.ts';
import { headers } from './subjects.ts';

/** The type shown for a stored message that is not a valid event (the projector dead-letters it). */
export const INVALID_EVENT_TYPE = 'INVALID';

export interface AuditFilter {
  deviceCode?: string;
  deviceNumber?: number;
  sensorType?: SensorType;
  /** RFC 3339; inclusive. */
  from?: string;
  to?: string;
  actor?: string;
  /** Event type names (`ReadingsEdited`…), or INVALID for messages that are no valid event. */
  types?: string[];
}

export interface AuditEvent {
  sequence: number;
  /** When the stream stored it (UTC, ms). */
  time: string;
  subject: string;
  type: string;
  actor: string | null;
  eventId: string | null;
  occurredAt: string | null;
  /** The event's data; for an invalid message, its JSON or its text. */
  data: unknown;
  /** Why the projector refuses it (INVALID and other undecodable messages), else null. */
  problem: string | null;
}

/** A filter that cannot be used; `field` names the flag or argument. */
export class AuditInputError extends Error {
  constructor(readonly field: string, message: string) {
    super(message);
    this.name = 'AuditInputError';
  }
}

/** Every type an audit filter may name: the event union's types (whatever they are now) and INVALID. */
export const auditableTypes = (): string[] => [...EVENT_TYPES, INVALID_EVENT_TYPE];

/** `A-7` (one device) or `A` (every device with that code). */
export function parseDevice(text: string): { deviceCode: string; deviceNumber?: number } {
  const match = /^([^-]+)(?:-(\d+))?$/.exec(text.trim());
  const code = match?.[1];
  if (!match || !code || !DEVICE_CODE_PATTERN.test(code)) {
    throw new AuditInputError('device', `device must be CODE-NUMBER (e.g. A-7) or a CODE of 1–20 capital letters A–Z, not ${JSON.stringify(text)}`);
  }
  if (match[2] === undefined) return { deviceCode: code };
  const number = Number(match[2]);
  if (number < 1 || number > DEVICE_NUMBER_MAX) throw new AuditInputError('device', `device number must be between 1 and ${DEVICE_NUMBER_MAX}, not ${match[2]}`);
  return { deviceCode: code, deviceNumber: number };
}

/** Canonical type names for what a user typed (case-insensitive); unknown names are refused with the list. */
export function parseTypes(names: readonly string[]): string[] {
  const known = auditableTypes();
  return names.map((name) => {
    const found = known.find((k) => k.toLowerCase() === name.trim().toLowerCase());
    if (!found) throw new AuditInputError('type', `unknown event type ${JSON.stringify(name)}: one of ${known.join(', ')}`);
    return found;
  });
}

/** Checks a filter as a whole; returns it with times normalised to UTC ISO. */
export function checkAuditFilter(filter: AuditFilter): AuditFilter {
  const out: AuditFilter = { ...filter };
  if (filter.deviceCode !== undefined && !DEVICE_CODE_PATTERN.test(filter.deviceCode)) {
    throw new AuditInputError('deviceCode', 'deviceCode must be 1–20 capital letters A–Z');
  }
  if (filter.deviceNumber !== undefined) {
    if (!Number.isInteger(filter.deviceNumber) || filter.deviceNumber < 1 || filter.deviceNumber > DEVICE_NUMBER_MAX) {
      throw new AuditInputError('deviceNumber', `deviceNumber must be between 1 and ${DEVICE_NUMBER_MAX}`);
    }
    if (filter.deviceCode === undefined) throw new AuditInputError('deviceNumber', 'a device number needs its device code');
  }
  if (filter.sensorType !== undefined && !(SENSOR_TYPES as readonly string[]).includes(filter.sensorType)) {
    throw new AuditInputError('sensorType', `sensorType must be one of ${SENSOR_TYPES.join(', ')}`);
  }
  for (const field of ['from', 'to'] as const) {
    const value = filter[field];
    if (value === undefined) continue;
    const ms = Date.parse(value);
    if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/i.test(value) || Number.isNaN(ms)) {
      throw new AuditInputError(field, `${field} must be an RFC 3339 time with an offset (e.g. 2026-01-31T12:00:00Z), not ${JSON.stringify(value)}`);
    }
    out[field] = new Date(ms).toISOString();
  }
  if (out.from !== undefined && out.to !== undefined && out.from > out.to) throw new AuditInputError('from', 'start time cannot be greater than end time');
  if (filter.actor !== undefined && filter.actor.length === 0) throw new AuditInputError('actor', 'actor must not be empty');
  if (filter.types !== undefined) out.types = parseTypes(filter.types);
  return out;
}

/** Where each known type is published, narrowed to a device and sensor type when given. */
function typeSubject(prefix: string, type: string, filter: AuditFilter): string | null {
  const device = `${filter.deviceCode ?? '*'}.${filter.deviceNumber ?? '*'}`;
  switch (type) {
    case 'ReadingRecorded':
      return `${prefix}.reading.${filter.sensorType ?? '*'}.${device}`;
    case 'ReadingsEdited':
      return `${prefix}.readings.edited`;
    case 'ReadingsDeleted':
      return `${prefix}.readings.deleted`;
    case 'ReadingsRestored':
      return `${prefix}.readings.restored`;
    case 'DeviceAnnounced':
      return `${prefix}.device.announced.${device}`;
    case 'DeviceTargetAssigned':
      return `${prefix}.device.target.${device}`;
    case 'DeviceCommandIssued':
      return `${prefix}.device.command.${device}`;
    default:
      return null;
  }
}

/**
 * The subject filters to read, one ordered consumer each (nats-server 2.9 takes one filter
 * per consumer); an empty list means the whole stream through one consumer. Types whose
 * subjects this module does not know (added later to the union) and INVALID make it read
 * every subject tree of the stream, narrowing only the reading and device trees by device.
 */
export function auditSubjects(prefix: string, streamSubjects: readonly string[], filter: AuditFilter): string[] {
  const typed = filter.types?.map((type) => typeSubject(prefix, type, filter));
  if (typed && typed.every((s) => s !== null)) return [...new Set(typed as string[])];
  const device = filter.deviceCode === undefined ? null : `${filter.deviceCode}.${filter.deviceNumber ?? '*'}`;
  const narrowed = streamSubjects.map((tree) => {
    if (tree === `${prefix}.reading.>` && (device || filter.sensorType)) return `${prefix}.reading.${filter.sensorType ?? '*'}.${device ?? '*.*'}`;
    if (tree === `${prefix}.device.>` && device) return `${prefix}.device.*.${device}`;
    return tree;
  });
  return narrowed.every((s, i) => s === streamSubjects[i]) ? [] : narrowed;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

interface Named {
  code?: unknown;
  number?: unknown;
  sensorType?: unknown;
  /** Named by the filter of a change: one without a number covers every device of the code. */
  byFilter: boolean;
}

/** The device and sensor type an event names: in its data, or in the filter of a change. */
function named(data: unknown): Named {
  if (!isObject(data)) return { byFilter: false };
  if (data.deviceCode === undefined && isObject(data.filter)) {
    return { code: data.filter.deviceCode, number: data.filter.deviceNumber, sensorType: data.filter.sensorType, byFilter: true };
  }
  return { code: data.deviceCode, number: data.deviceNumber, sensorType: data.sensorType, byFilter: false };
}

/** Device and sensor type from a reading or device subject, for messages that are no valid event. */
function namedBySubject(prefix: string, subject: string): Named {
  const parts = subject.split('.');
  if (subject.startsWith(`${prefix}.reading.`) && parts.length === 5) return { sensorType: parts[2], code: parts[3], number: Number(parts[4]), byFilter: false };
  if (subject.startsWith(`${prefix}.device.`) && parts.length === 5) return { code: parts[3], number: Number(parts[4]), byFilter: false };
  return { byFilter: false };
}

/** Whether an event passes the filter (the subject plan only narrows the reading; this decides). */
export function matchesAudit(event: AuditEvent, filter: AuditFilter, prefix: string): boolean {
  if (filter.types && !filter.types.includes(event.type)) return false;
  if (filter.actor !== undefined && event.actor !== filter.actor) return false;
  if (filter.from !== undefined && event.time < filter.from) return false;
  if (filter.to !== undefined && event.time > filter.to) return false;
  const names = event.problem === null ? named(event.data) : namedBySubject(prefix, event.subject);
  if (filter.deviceCode !== undefined) {
    if (names.code !== filter.deviceCode) return false;
    const numberMatches = names.number === filter.deviceNumber || (names.byFilter && names.number === undefined);
    if (filter.deviceNumber !== undefined && !numberMatches) return false;
  }
  if (filter.sensorType !== undefined && names.sensorType !== filter.sensorType) return false;
  return true;
}

function dataOf(bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Whether a message cannot be by `actor`, told from its bytes without decoding it (decoding is
 * most of an audit's time). Sound: a payload without a backslash spells the actor exactly as
 * JSON.stringify does, and a message without it in payload or header has another actor.
 */
export function cannotBeBy(message: Pick<JsMsg, 'data' | 'headers'>, actor: string): boolean {
  const data = Buffer.from(message.data.buffer, message.data.byteOffset, message.data.byteLength);
  if (data.includes(JSON.stringify(actor)) || data.includes('\\')) return false;
  return message.headers?.get(headers.actor) !== actor;
}

/** One stored message as the auditor sees it. */
export function toAuditEvent(message: JsMsg, options: { prefix: string; maxFutureMs: number }): AuditEvent {
  const storedAt = storedAtMs(message.timestampNanos);
  const decoded = decodeStored({ subject: message.subject, data: message.data, sequence: message.seq, storedAtMs: storedAt }, options);
  const header = (name: string) => message.headers?.get(name) || null;
  const base = { sequence: message.seq, time: new Date(storedAt).toISOString(), subject: message.subject };
  if (decoded.ok) {
    const { event } = decoded;
    // Publishers derive the Event-Actor header from the event's actor: the event is the authority (and headers are slow to parse).
    return { ...base, type: event.type, actor: event.actor ?? null, eventId: event.id, occurredAt: event.occurredAt, data: event.data, problem: null };
  }
  return {
    ...base,
    type: INVALID_EVENT_TYPE,
    actor: header(headers.actor),
    eventId: header(headers.msgId),
    occurredAt: null,
    data: dataOf(message.data),
    problem: `${decoded.reason}: ${decoded.detail}`,
  };
}

type Start = { afterSequence: number } | { from: string } | null;

/** One subject's messages in order, up to `until`; ends when the consumer has nothing more pending. */
async function* readSubject(nc: NatsConnection, stream: string, subject: string | null, start: Start, until: number, toMs: number): AsyncGenerator<JsMsg> {
  const position =
    start === null
      ? { deliver_policy: DeliverPolicy.All }
      : 'afterSequence' in start
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start.afterSequence + 1 }
        : { deliver_policy: DeliverPolicy.StartTime, opt_start_time: start.from };
  const consumer = await jetstream(nc).consumers.get(stream, { ...position, ...(subject ? { filter_subjects: subject } : {}) });
  const messages = await consumer.consume({ max_messages: 1000 });
  try {
    const info = await consumer.info();
    if (info.num_pending === 0 && info.delivered.consumer_seq === 0) return;
    for await (const message of messages) {
      // Stored times only grow along the stream, so the first one past `to` ends this subject.
      if (message.seq > until || storedAtMs(message.timestampNanos) > toMs) return;
      yield message;
      if (message.seq >= until || message.info.pending === 0) return;
    }
  } finally {
    messages.stop();
  }
}

/** Merges subject readers into one sequence order (each is in order; their subjects do not overlap). */
async function* bySequence(sources: AsyncGenerator<JsMsg>[]): AsyncGenerator<JsMsg> {
  const heads = await Promise.all(sources.map((s) => s.next()));
  try {
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const head = heads[i]!;
        if (!head.done && (best < 0 || head.value.seq < (heads[best]!.value as JsMsg).seq)) best = i;
      }
      if (best < 0) return;
      yield heads[best]!.value as JsMsg;
      heads[best] = await sources[best]!.next();
    }
  } finally {
    await Promise.all(sources.map((s) => s.return(undefined)));
  }
}

export interface AuditReadOptions {
  prefix: string;
  maxFutureMs: number;
  /** Start after this stream sequence (a page cursor). */
  afterSequence?: number;
  /**
   * Read at most `limit` messages (matching or not), then stop with `stoppedAt` set to the last
   * one read, where a next call may go on: keeps one API request from scanning a whole stream.
   */
  scan?: { limit: number; stoppedAt?: number };
}

/**
 * The events matching `filter`, oldest first, from the stream as it stands when called (up to
 * its last sequence then). Streams: the caller takes as many as it wants and stops.
 */
export async function* readAuditEvents(nc: NatsConnection, stream: string, filter: AuditFilter, options: AuditReadOptions): AsyncGenerator<AuditEvent> {
  const info = await (await jetstreamManager(nc)).streams.info(stream);
  const until = info.state.last_seq;
  if (info.state.messages === 0 || (options.afterSequence ?? 0) >= until) return;
  const start: Start = options.afterSequence !== undefined ? { afterSequence: options.afterSequence } : filter.from !== undefined ? { from: filter.from } : null;
  const toMs = filter.to === undefined ? Infinity : Date.parse(filter.to);
  const plan = auditSubjects(options.prefix, info.config.subjects ?? [], filter);
  const sources = (plan.length ? plan : [null]).map((subject) => readSubject(nc, stream, subject, start, until, toMs));
  let scanned = 0;
  for await (const message of bySequence(sources)) {
    if (options.scan && ++scanned > options.scan.limit) {
      options.scan.stoppedAt = message.seq - 1;
      return;
    }
    if (filter.actor !== undefined && cannotBeBy(message, filter.actor)) continue;
    const event = toAuditEvent(message, options);
    if (matchesAudit(event, filter, options.prefix)) yield event;
  }
}
