/**
 * Turning a run of stream messages into the events to apply: decode and validate
 * each, set the invalid ones aside as dead letters, and keep only what follows the
 * checkpoint without a hole (see `takeContiguous`).
 */
import { decodeStored, type RejectReason, type StoredDecodeOptions } from '../../schema/src/index.ts';
import type { PositionedEvent } from './readings/apply.ts';

export interface RawMessage {
  sequence: number;
  subject: string;
  data: Uint8Array;
  storedAtMs: number;
}

export interface DeadLetter {
  sequence: number;
  subject: string;
  reason: RejectReason;
  detail: string;
  data: Uint8Array;
}

export interface DecodedBatch {
  events: PositionedEvent[];
  deadLetters: DeadLetter[];
  lastSequence: number;
  lastEventAt: string | null;
}

export function decodeBatch(messages: readonly RawMessage[], options: StoredDecodeOptions): DecodedBatch {
  const batch: DecodedBatch = { events: [], deadLetters: [], lastSequence: 0, lastEventAt: null };
  for (const message of messages) {
    const decoded = decodeStored(message, options);
    if (decoded.ok) {
      batch.events.push({ sequence: message.sequence, event: decoded.event });
      batch.lastEventAt = decoded.event.occurredAt;
    } else {
      batch.deadLetters.push({ ...message, reason: decoded.reason, detail: decoded.detail });
    }
    batch.lastSequence = message.sequence;
  }
  return batch;
}

export interface Contiguous {
  /** Messages to apply: sequences checkpoint+1, +2, … (holes only where the stream has none). */
  take: RawMessage[];
  /** The first sequence missing before a later one arrived, if any: the run must restart from the checkpoint. */
  missing: number | null;
}

/** What the stream can tell about a hole in delivery. */
export interface StreamProbe {
  /** Whether the stream holds a message at `sequence`. */
  exists(sequence: number): Promise<boolean>;
  /** The stream's first sequence: everything before it was purged. */
  firstSequence(): Promise<number>;
}

/**
 * Messages at or below the checkpoint are redeliveries and are dropped. A message
 * further ahead than the next sequence means one went astray (a redelivery out of
 * order, or a message another consumer instance took): we stop there rather than
 * skip it, unless the stream has no message at the missing sequences. Sequences
 * before the stream's first are known gone without asking one by one (after a purge
 * of millions, asking each would hold the batch for minutes).
 */
export async function takeContiguous(messages: readonly RawMessage[], checkpoint: number, stream: StreamProbe): Promise<Contiguous> {
  const take: RawMessage[] = [];
  let next = checkpoint + 1;
  for (const message of messages) {
    if (message.sequence < next) continue;
    if (message.sequence > next) {
      for (let s = Math.max(next, await stream.firstSequence()); s < message.sequence; s++) {
        if (await stream.exists(s)) return { take, missing: s };
      }
    }
    take.push(message);
    next = message.sequence + 1;
  }
  return { take, missing: null };
}
