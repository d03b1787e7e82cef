/**
 * Edits, deletes and restores: validate, append the change event to the stream with
 * the actor and a command id, wait until the projector has applied it, and answer with
 * the number of readings affected. An idempotency key makes a retry return the first
 * answer instead of changing anything twice.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import type pg from 'pg';
import type { ReadingsChangeEvent } from '../../../../schema/src/index.ts';
import { publishEvent } from '../../../../schema/src/publish.ts';
import type { Principal } from '../auth/roles.ts';
import { badInput, CoreError } from '../errors.ts';
import { requirePermission, type Permission } from '../permissions.ts';
import { findChangeResult, type ChangeResult, type ChangeWaiter } from './change-waiter.ts';
import { requireNonEmptyFilter, validateChanges, validateFilter, type ChangeKind, type ChangesInput, type FilterInput } from './input.ts';

export interface ChangeSettings {
  prefix: string;
  waitMs: number;
  maxFutureMs: number;
}

export interface ChangeRequest {
  filter: FilterInput | null | undefined;
  changes?: ChangesInput | null;
  idempotencyKey?: string | null;
}

const KINDS = {
  update: { type: 'ReadingsEdited', permission: 'editReadings' },
  deletion: { type: 'ReadingsDeleted', permission: 'deleteReadings' },
  restore: { type: 'ReadingsRestored', permission: 'restoreReadings' },
} as const satisfies Record<ChangeKind, { type: ReadingsChangeEvent['type']; permission: Permission }>;

export class ReadingChanges {
  constructor(
    private readonly db: pg.Pool,
    private readonly js: JetStreamClient,
    private readonly waiter: ChangeWaiter,
    private readonly settings: ChangeSettings,
    private readonly clock: () => number,
  ) {}

  /** The command id: random, or derived from the caller's idempotency key so a retry names the same command. */
  private commandId(caller: Principal, kind: ChangeKind, key: string | null | undefined): string {
    if (key == null) return randomUUID();
    if (key.length < 1 || key.length > 200) throw badInput('idempotencyKey must be 1–200 characters', 'idempotencyKey');
    return `idem-${createHash('sha256').update(`${caller.userId}\n${kind}\n${key}`).digest('hex').slice(0, 40)}`;
  }

  private buildEvent(kind: ChangeKind, caller: Principal, request: ChangeRequest, commandId: string): ReadingsChangeEvent {
    const filter = validateFilter(request.filter);
    requireNonEmptyFilter(filter, kind);
    const now = this.clock();
    const envelope = { version: 1 as const, id: commandId, occurredAt: new Date(now).toISOString(), actor: caller.username };
    switch (kind) {
      case 'update':
        return { type: 'ReadingsEdited', ...envelope, data: { commandId, filter, changes: validateChanges(request.changes, filter, now, this.settings.maxFutureMs) } };
      case 'deletion':
        return { type: 'ReadingsDeleted', ...envelope, data: { commandId, filter } };
      case 'restore':
        return { type: 'ReadingsRestored', ...envelope, data: { commandId, filter } };
      default: {
        const unreachable: never = kind;
        throw new Error(`unknown change kind ${String(unreachable)}`);
      }
    }
  }

  async apply(kind: ChangeKind, caller: Principal | null, request: ChangeRequest): Promise<ChangeResult> {
    const principal = requirePermission(caller, KINDS[kind].permission);
    const commandId = this.commandId(principal, kind, request.idempotencyKey);
    const event = this.buildEvent(kind, principal, request, commandId);
    const earlier = await findChangeResult(this.db, commandId);
    if (earlier) return earlier;

    const published = publishEvent(this.js, this.settings.prefix, event).catch((error: unknown) => {
      throw new CoreError('SERVICE_UNAVAILABLE', `the change could not be recorded because the event stream is unavailable (${(error as Error).message}); nothing was changed, retry`);
    });
    const result = await this.waiter.wait(commandId, this.settings.waitMs, published);
    if (result) return result;
    const ack = await published;
    throw new CoreError(
      'CHANGE_PENDING',
      `the change was accepted (command ${commandId}, stream sequence ${ack.seq}) and is still being applied; retry with the same idempotencyKey to get its result`,
      { commandId, sequence: String(ack.seq) },
    );
  }
}
