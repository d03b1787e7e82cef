/**
 * Appending a command event and waiting until the projector has applied it: the one
 * read-your-writes path for every command (changes to readings, device commands, targets).
 * A command already applied answers with its recorded result; a slow projector gives a
 * CHANGE_PENDING error that says the command was accepted.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import type pg from 'pg';
import type { DomainEvent } from '../../../schema/src/index.ts';
import { publishEvent } from '../../../schema/src/publish.ts';
import type { Principal } from './auth/roles.ts';
import { badInput, CoreError } from './errors.ts';
import { findChangeResult, type ChangeResult, type ChangeWaiter, type ResultFinder } from './readings/change-waiter.ts';

export interface CommandLog {
  db: pg.Pool;
  js: JetStreamClient;
  waiter: ChangeWaiter;
  prefix: string;
  waitMs: number;
}

/** A command id: random, or derived from the caller's idempotency key so that a retry names the same command. */
export function commandIdFor(caller: Principal, kind: string, key: string | null | undefined): string {
  if (key == null) return randomUUID();
  if (key.length < 1 || key.length > 200) throw badInput('idempotencyKey must be 1–200 characters', 'idempotencyKey');
  return `idem-${createHash('sha256').update(`${caller.userId}\n${kind}\n${key}`).digest('hex').slice(0, 40)}`;
}

/** `find` reads a command's result where its projection records it (default: change_results). */
export async function appendCommand(log: CommandLog, commandId: string, event: DomainEvent, find: ResultFinder = findChangeResult): Promise<ChangeResult> {
  const earlier = await find(log.db, commandId);
  if (earlier) return earlier;
  const published = publishEvent(log.js, log.prefix, event, { msgID: commandId }).catch((error: unknown) => {
    throw new CoreError('SERVICE_UNAVAILABLE', `the change could not be recorded because the event stream is unavailable (${(error as Error).message}); nothing was changed, retry`);
  });
  const result = await log.waiter.wait(commandId, log.waitMs, published, find);
  if (result) return result;
  const ack = await published;
  throw new CoreError(
    'CHANGE_PENDING',
    `the change was accepted (command ${commandId}, stream sequence ${ack.seq}) and is still being applied; retry with the same idempotencyKey to get its result`,
    { commandId, sequence: String(ack.seq) },
  );
}
