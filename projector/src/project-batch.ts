/**
 * One batch, one transaction: lock the checkpoint, keep what follows it, publish
 * dead letters, write the rows, advance the checkpoint, commit. Running it again on
 * messages already applied changes nothing (they are at or below the checkpoint).
 */
import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream';
import type pg from 'pg';
import type { StreamNames } from '../../schema/src/subjects.ts';
import { decodeBatch, takeContiguous, type DeadLetter, type RawMessage } from './batch.ts';
import { streamProbe } from './stream-probe.ts';
import { advanceCheckpoint, lockCheckpoint } from './checkpoint.ts';
import { publishDeadLetters } from './dead-letters.ts';
import { applyEvents, type ChangeOutcome } from './readings/apply.ts';
import { LIVE_TABLES } from './readings/tables.ts';

export interface BatchContext {
  names: StreamNames;
  checkpointName: string;
  maxFutureMs: number;
  js: JetStreamClient;
  jsm: JetStreamManager;
}

export interface BatchOutcome {
  checkpoint: number;
  recorded: number;
  changes: ChangeOutcome[];
  deadLetters: DeadLetter[];
  /** A sequence that exists in the stream but was not delivered before a later one: restart from the checkpoint. */
  missing: number | null;
}

export async function projectBatch(client: pg.ClientBase, context: BatchContext, messages: readonly RawMessage[]): Promise<BatchOutcome> {
  await client.query('BEGIN');
  try {
    const checkpoint = await lockCheckpoint(client, context.checkpointName);
    const { take, missing } = await takeContiguous(messages, checkpoint, streamProbe(context.jsm, context.names.stream));
    const batch = decodeBatch(take, { maxFutureMs: context.maxFutureMs, prefix: context.names.prefix });
    if (batch.deadLetters.length) await publishDeadLetters(context.js, context.names, batch.deadLetters);
    const summary = await applyEvents(client, LIVE_TABLES, batch.events);
    if (take.length) await advanceCheckpoint(client, context.checkpointName, batch.lastSequence, batch.lastEventAt);
    await client.query('COMMIT');
    return {
      checkpoint: Math.max(checkpoint, batch.lastSequence),
      recorded: summary.recorded,
      changes: summary.changes,
      deadLetters: batch.deadLetters,
      missing,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
