/**
 * Edits, deletes and restores: validate, append the change event to the stream with
 * the actor and a command id, wait until the projector has applied it, and answer with
 * the number of readings affected. An idempotency key makes a retry return the first
 * answer instead of changing anything twice.
 */
import type { ReadingsChangeEvent } from '../../../../schema/src/index.ts';
import type { Principal } from '../auth/roles.ts';
import { appendCommand, commandIdFor, type CommandLog } from '../commands.ts';
import { requirePermission, type Permission } from '../permissions.ts';
import type { ChangeResult } from './change-waiter.ts';
import { requireNonEmptyFilter, validateChanges, validateFilter, type ChangeKind, type ChangesInput, type FilterInput } from './input.ts';

export interface ChangeSettings {
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
    private readonly log: CommandLog,
    private readonly settings: ChangeSettings,
    private readonly clock: () => number,
  ) {}

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
    const commandId = commandIdFor(principal, kind, request.idempotencyKey);
    const event = this.buildEvent(kind, principal, request, commandId);
    return appendCommand(this.log, commandId, event);
  }

}
