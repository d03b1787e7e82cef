/**
 * Backup and restore of the domain stream as NDJSON (`npm run events -- export|import`).
 *
 * The file: a first line describing the export, one line per stored message in sequence
 * order, and a last line with the count (so a cut-off file is refused):
 *
 *   {"format":"sensor-platform-events","version":1,"stream":"SENSORS","prefix":"iot","subjects":[…],"exportedAt":"…"}
 *   {"seq":1,"time":"2026-…Z","subject":"iot.reading.humidity.A.7","headers":{"Nats-Msg-Id":["…"],…},"data":{…}}
 *   {"end":true,"messages":1,"firstSeq":1,"lastSeq":1}
 *
 * A payload is kept as `data` (JSON that serialises back to the very same bytes: every event our
 * publishers write), `text` (other UTF-8) or `base64` (anything else), so it restores byte for byte.
 *
 * The import restores the original sequences (reading ids are sequences): on an empty stream
 * whose next sequence is below the first one in the file it moves the start up (a purge), and
 * for messages that were deleted from the original (gaps) it stores a placeholder and deletes it.
 * One thing cannot be restored: the time the server stored a message. Only bare readings (plain
 * MQTT payloads) depend on it, so those are restored as the full ReadingRecorded event they
 * stood for (the one `decodeStored` made of them, with the original time).
 */
import { DeliverPolicy, jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager, type JsMsg, type PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { decodeStored, storedAtMs } from './stored.ts';
import { domainStreamConfig, isNotFound } from './stream.ts';
import type { StreamNames } from './subjects.ts';

export const EXPORT_FORMAT = 'sensor-platform-events';

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: 1;
  stream: string;
  prefix: string;
  subjects: string[];
  exportedAt: string;
}

export interface ExportedMessage {
  seq: number;
  time: string;
  subject: string;
  headers?: Record<string, string[]>;
  data?: unknown;
  text?: string;
  base64?: string;
}

export interface ExportTrailer {
  end: true;
  messages: number;
  firstSeq: number;
  lastSeq: number;
}

export interface Progress {
  done: number;
  total: number;
}

/** A backup file that cannot be imported; `line` is 1-based. */
export class BackupFileError extends Error {
  constructor(readonly line: number, problem: string) {
    super(`line ${line}: ${problem}`);
    this.name = 'BackupFileError';
  }
}

/** A stream that cannot take the import (not empty, used before, wrong prefix). */
export class RestoreTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestoreTargetError';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The payload field that restores these bytes exactly. */
export function encodePayload(bytes: Uint8Array): Pick<ExportedMessage, 'data' | 'text' | 'base64'> {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { base64: Buffer.from(bytes).toString('base64') };
  }
  try {
    const data: unknown = JSON.parse(text);
    if (JSON.stringify(data) === text) return { data };
  } catch {
    // not JSON: kept as text
  }
  return { text };
}

export function decodePayload(message: ExportedMessage): Uint8Array {
  if (message.data !== undefined) return Buffer.from(JSON.stringify(message.data));
  if (message.text !== undefined) return Buffer.from(message.text, 'utf8');
  return Buffer.from(message.base64 ?? '', 'base64');
}

function headersOf(h: MsgHdrs | undefined): Record<string, string[]> | undefined {
  if (!h) return undefined;
  const out: Record<string, string[]> = {};
  for (const key of h.keys()) out[key] = h.values(key);
  return Object.keys(out).length ? out : undefined;
}

export function exportLine(message: JsMsg): ExportedMessage {
  const h = headersOf(message.headers);
  return {
    seq: message.seq,
    time: new Date(storedAtMs(message.timestampNanos)).toISOString(),
    subject: message.subject,
    ...(h ? { headers: h } : {}),
    ...encodePayload(message.data),
  };
}

/**
 * Writes the stream as NDJSON through `write` (which should wait when its sink is full):
 * every message up to the last sequence at the start, in order.
 */
export async function exportStream(
  nc: NatsConnection,
  names: StreamNames,
  write: (line: string) => Promise<void>,
  options: { now: () => Date; onProgress?: (progress: Progress) => void },
): Promise<ExportTrailer> {
  const info = await (await jetstreamManager(nc)).streams.info(names.stream);
  const head: ExportHeader = {
    format: EXPORT_FORMAT,
    version: 1,
    stream: names.stream,
    prefix: names.prefix,
    subjects: info.config.subjects ?? [],
    exportedAt: options.now().toISOString(),
  };
  await write(`${JSON.stringify(head)}\n`);
  const last = info.state.last_seq;
  const trailer: ExportTrailer = { end: true, messages: 0, firstSeq: 0, lastSeq: 0 };
  if (info.state.messages > 0) {
    const consumer = await jetstream(nc).consumers.get(names.stream, { opt_start_seq: info.state.first_seq, deliver_policy: DeliverPolicy.StartSequence });
    const messages = await consumer.consume({ max_messages: 2000 });
    try {
      for await (const message of messages) {
        if (message.seq > last) break;
        await write(`${JSON.stringify(exportLine(message))}\n`);
        trailer.messages += 1;
        trailer.firstSeq ||= message.seq;
        trailer.lastSeq = message.seq;
        options.onProgress?.({ done: message.seq - info.state.first_seq + 1, total: last - info.state.first_seq + 1 });
        if (message.seq >= last || message.info.pending === 0) break;
      }
    } finally {
      messages.stop();
    }
  }
  await write(`${JSON.stringify(trailer)}\n`);
  return trailer;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function parseLine(text: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BackupFileError(line, `not JSON (${(error as Error).message})`);
  }
}

function checkHeader(raw: unknown, line: number): ExportHeader {
  if (!isObject(raw) || raw.format !== EXPORT_FORMAT) throw new BackupFileError(line, `not an export of this platform: the first line must be the header {"format":"${EXPORT_FORMAT}",…}`);
  if (raw.version !== 1) throw new BackupFileError(line, `export format version ${JSON.stringify(raw.version)} is not supported (only 1)`);
  if (typeof raw.stream !== 'string' || typeof raw.prefix !== 'string' || !Array.isArray(raw.subjects) || !raw.subjects.every((s) => typeof s === 'string')) {
    throw new BackupFileError(line, 'the header needs stream, prefix and subjects');
  }
  return raw as unknown as ExportHeader;
}

function checkMessage(raw: unknown, line: number, previousSeq: number): ExportedMessage {
  if (!isObject(raw)) throw new BackupFileError(line, 'a message line must be a JSON object');
  const { seq, time, subject, headers: h } = raw;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) throw new BackupFileError(line, 'seq must be a positive integer');
  if (seq <= previousSeq) throw new BackupFileError(line, `seq ${seq} does not follow ${previousSeq}: messages must be in increasing sequence order`);
  if (typeof time !== 'string' || Number.isNaN(Date.parse(time))) throw new BackupFileError(line, 'time must be an ISO date-time');
  if (typeof subject !== 'string' || !/^[^\s*>]+$/.test(subject)) throw new BackupFileError(line, 'subject must be a NATS subject without wildcards');
  if (h !== undefined && (!isObject(h) || !Object.values(h).every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string')))) {
    throw new BackupFileError(line, 'headers must map names to arrays of strings');
  }
  const payloads = ['data', 'text', 'base64'].filter((k) => raw[k] !== undefined);
  if (payloads.length !== 1) throw new BackupFileError(line, 'a message needs exactly one of data, text, base64');
  if (raw.text !== undefined && typeof raw.text !== 'string') throw new BackupFileError(line, 'text must be a string');
  if (raw.base64 !== undefined && (typeof raw.base64 !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(raw.base64))) throw new BackupFileError(line, 'base64 must be base64');
  return raw as unknown as ExportedMessage;
}

function checkTrailer(raw: Record<string, unknown>, line: number, counted: { messages: number; firstSeq: number; lastSeq: number }): void {
  if (raw.messages !== counted.messages) throw new BackupFileError(line, `the file ends saying ${String(raw.messages)} messages but holds ${counted.messages}`);
  if (raw.firstSeq !== counted.firstSeq || raw.lastSeq !== counted.lastSeq) {
    throw new BackupFileError(line, `the file ends saying sequences ${String(raw.firstSeq)}…${String(raw.lastSeq)} but holds ${counted.firstSeq}…${counted.lastSeq}`);
  }
}

/** What the first pass over a file found: it is whole and well-formed. */
export interface CheckedBackup {
  header: ExportHeader;
  messages: number;
  firstSeq: number;
  lastSeq: number;
}

type Item = { kind: 'header'; header: ExportHeader } | { kind: 'message'; message: ExportedMessage; line: number } | { kind: 'end' };

/** Parses the file line by line, checking every line and the whole (header first, trailer last, counts). */
async function* parseBackup(lines: AsyncIterable<string>): AsyncGenerator<Item, CheckedBackup> {
  let lineNo = 0;
  let header: ExportHeader | undefined;
  let ended = false;
  const counted = { messages: 0, firstSeq: 0, lastSeq: 0 };
  for await (const text of lines) {
    lineNo += 1;
    if (text.trim() === '') continue;
    if (ended) throw new BackupFileError(lineNo, 'nothing may follow the end line');
    const raw = parseLine(text, lineNo);
    if (!header) {
      header = checkHeader(raw, lineNo);
      yield { kind: 'header', header };
    } else if (isObject(raw) && raw.end === true) {
      checkTrailer(raw, lineNo, counted);
      ended = true;
      yield { kind: 'end' };
    } else {
      const message = checkMessage(raw, lineNo, counted.lastSeq);
      counted.messages += 1;
      counted.firstSeq ||= message.seq;
      counted.lastSeq = message.seq;
      yield { kind: 'message', message, line: lineNo };
    }
  }
  if (!header) throw new BackupFileError(Math.max(lineNo, 1), 'the file is empty');
  if (!ended) throw new BackupFileError(lineNo, 'the file ends without its end line: it was cut off');
  return { header, ...counted };
}

/**
 * A set of strings in fixed memory that may answer "seen" for one it has not seen (a Bloom
 * filter, 16 MiB: about 1 in 200 wrongly at 10 million ids), never the reverse.
 */
class SeenFilter {
  private readonly bits = new Uint32Array(1 << 22);
  private readonly size = (1 << 22) * 32;

  /** Adds `id`; true when it may have been added before. */
  add(id: string): boolean {
    let h1 = 0x811c9dc5;
    let h2 = 0x01000193;
    for (let i = 0; i < id.length; i++) {
      const c = id.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) ^ (h2 >>> 15);
    }
    let seen = true;
    for (let k = 0; k < 4; k++) {
      const bit = ((h1 + Math.imul(k, h2 | 1)) >>> 0) % this.size;
      const word = bit >>> 5;
      const mask = 1 << (bit & 31);
      if (!(this.bits[word]! & mask)) seen = false;
      this.bits[word]! |= mask;
    }
    return seen;
  }
}

const msgIdOf = (message: ExportedMessage) => message.headers?.['Nats-Msg-Id']?.[0];

/**
 * The first pass: reads the whole file and throws BackupFileError at the first bad line. It also
 * refuses messages that repeat an earlier Nats-Msg-Id: the original stored both (further apart
 * than its duplicate window), but a restore publishes them within the window and JetStream would
 * keep only the first. `lines` is called again, only when an id may repeat, to make sure.
 */
export async function checkBackup(lines: () => AsyncIterable<string>): Promise<CheckedBackup> {
  const seen = new SeenFilter();
  const maybeRepeated = new Set<string>();
  const items = parseBackup(lines());
  let checked: CheckedBackup;
  for (;;) {
    const next = await items.next();
    if (next.done) {
      checked = next.value;
      break;
    }
    const id = next.value.kind === 'message' ? msgIdOf(next.value.message) : undefined;
    if (id !== undefined && seen.add(id)) maybeRepeated.add(id);
  }
  if (maybeRepeated.size) await refuseRepeatedIds(lines(), maybeRepeated);
  return checked;
}

async function refuseRepeatedIds(lines: AsyncIterable<string>, candidates: Set<string>): Promise<void> {
  const firstSeqOf = new Map<string, number>();
  for await (const item of parseBackup(lines)) {
    if (item.kind !== 'message') continue;
    const id = msgIdOf(item.message);
    if (id === undefined || !candidates.has(id)) continue;
    const first = firstSeqOf.get(id);
    if (first !== undefined) {
      throw new BackupFileError(
        item.line,
        `the message of sequence ${item.message.seq} repeats the Nats-Msg-Id ${JSON.stringify(id)} of sequence ${first}: a restore would keep only the first. Remove its Nats-Msg-Id header from this line and import again`,
      );
    }
    firstSeqOf.set(id, item.message.seq);
  }
}

/**
 * A bare reading (a plain MQTT payload) takes its event time from when the stream stored it,
 * which a restore cannot repeat: it is restored as the event it decoded to. Anything else is
 * restored byte for byte.
 */
export function restoredPayload(message: ExportedMessage, prefix: string): Uint8Array {
  const bytes = decodePayload(message);
  let raw: unknown;
  try {
    raw = message.data ?? JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return bytes;
  }
  if (!isObject(raw) || 'type' in raw) return bytes;
  const decoded = decodeStored(
    { subject: message.subject, data: bytes, sequence: message.seq, storedAtMs: Date.parse(message.time) },
    // Only "is it a bare reading that decodes" matters here; the projector still judges the event.
    { prefix, maxFutureMs: Number.MAX_SAFE_INTEGER },
  );
  return decoded.ok ? Buffer.from(JSON.stringify(decoded.event)) : bytes;
}

function toHeaders(h: Record<string, string[]> | undefined): MsgHdrs | undefined {
  if (!h) return undefined;
  const out = natsHeaders();
  for (const [key, values] of Object.entries(h)) for (const value of values) out.append(key, value);
  return out;
}

/** Checks that the target stream can take the backup; creates it when missing. Returns its next sequence. */
async function prepareTarget(jsm: JetStreamManager, names: StreamNames, backup: CheckedBackup): Promise<number> {
  if (backup.header.prefix !== names.prefix) {
    throw new RestoreTargetError(`the backup's subjects use the prefix ${JSON.stringify(backup.header.prefix)}, not ${JSON.stringify(names.prefix)}: set SUBJECT_PREFIX=${backup.header.prefix}`);
  }
  try {
    const info = await jsm.streams.info(names.stream);
    if (info.state.messages > 0) {
      throw new RestoreTargetError(
        `stream ${names.stream} is not empty (${info.state.messages} messages, last sequence ${info.state.last_seq}): import restores into an empty stream only; remove it first (nats stream rm ${names.stream}) or set STREAM_NAME to a new one`,
      );
    }
    if (backup.messages > 0 && info.state.last_seq >= backup.firstSeq) {
      throw new RestoreTargetError(
        `stream ${names.stream} is empty but has used sequences up to ${info.state.last_seq}, so the backup's sequences (from ${backup.firstSeq}) cannot be kept: remove it first (nats stream rm ${names.stream})`,
      );
    }
    return info.state.last_seq + 1;
  } catch (error) {
    if (!isNotFound(error)) throw error;
    await jsm.streams.add(domainStreamConfig(names));
    return 1;
  }
}

export interface ImportOptions {
  /** Publishes awaiting their acknowledgement at most. */
  window?: number;
  onProgress?: (progress: Progress) => void;
}

/**
 * Restores a checked backup into `names.stream` (missing or empty), keeping every sequence.
 * `lines` must yield the same file `checkBackup` passed; nothing is published before that.
 */
export async function importStream(nc: NatsConnection, names: StreamNames, backup: CheckedBackup, lines: AsyncIterable<string>, options: ImportOptions = {}): Promise<{ messages: number; lastSeq: number }> {
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc);
  let next = await prepareTarget(jsm, names, backup);
  if (backup.messages === 0) return { messages: 0, lastSeq: 0 };
  if (next < backup.firstSeq) {
    // On an empty stream, a purge up to a sequence makes that the next one.
    await jsm.streams.purge(names.stream, { seq: backup.firstSeq });
    next = backup.firstSeq;
  }
  const windowSize = options.window ?? 256;
  const inFlight: Array<{ seq: number; ack: Promise<PubAck> }> = [];
  const settle = async (count: number) => {
    for (const { seq, ack } of inFlight.splice(0, count)) checkAck(await ack, seq);
  };
  let done = 0;
  for await (const item of parseBackup(lines)) {
    if (item.kind !== 'message') continue;
    const { message } = item;
    if (message.seq > next) {
      await settle(inFlight.length);
      await fillGap(js, jsm, names, next, message.seq);
    }
    const h = toHeaders(message.headers);
    inFlight.push({ seq: message.seq, ack: js.publish(message.subject, restoredPayload(message, names.prefix), h ? { headers: h } : {}) });
    next = message.seq + 1;
    if (inFlight.length >= windowSize) await settle(inFlight.length - windowSize + 1);
    done += 1;
    options.onProgress?.({ done, total: backup.messages });
  }
  await settle(inFlight.length);
  const state = (await jsm.streams.info(names.stream)).state;
  if (state.messages !== backup.messages || state.last_seq !== backup.lastSeq) {
    throw new Error(`after the import stream ${names.stream} holds ${state.messages} messages up to sequence ${state.last_seq}; the backup has ${backup.messages} up to ${backup.lastSeq}`);
  }
  return { messages: state.messages, lastSeq: state.last_seq };
}

function checkAck(ack: PubAck, expected: number): void {
  if (ack.duplicate) {
    throw new Error(`the message of sequence ${expected} was refused as a duplicate: its Nats-Msg-Id repeats an earlier one within the duplicate window (the original stored both further apart)`);
  }
  if (ack.seq !== expected) throw new Error(`the message of sequence ${expected} was stored as ${ack.seq}: another publisher is writing to the stream`);
}

/** Messages deleted from the original: store a placeholder for each missing sequence and delete it again. */
async function fillGap(js: JetStreamClient, jsm: JetStreamManager, names: StreamNames, from: number, to: number): Promise<void> {
  const subject = `${names.prefix}.readings.restore-gap`;
  for (let seq = from; seq < to; seq++) {
    const ack = await js.publish(subject, Buffer.from('{"restoreGap":true}'));
    checkAck(ack, seq);
    await jsm.streams.deleteMessage(names.stream, seq, false);
  }
}
