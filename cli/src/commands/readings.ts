/** `sensorctl readings list|edit|delete|restore`. */
import { randomUUID } from 'node:crypto';
import { Command, Option } from 'commander';
import {
  DeletedReadingsDocument,
  DeleteReadingsDocument,
  ReadingsDocument,
  RestoreReadingsDocument,
  SdkError,
  UpdateReadingsDocument,
  type ReadingChanges,
  type ReadingFields,
  type SensorClient,
} from '../../../sdk/index.ts';
import { connection, type CliContext } from '../context.ts';
import { CliError, EXIT, usageError } from '../errors.ts';
import { addFilterOptions, decimal, integer, JSON_OPTION, readingFilter, time, type FilterOptions } from '../options.ts';
import { deviceName, json, orDash, table, type Column } from '../output.ts';
import { collectByCursor, collectNumberedPage, type Chunk } from '../paging.ts';

interface ListOptions extends FilterOptions {
  limit: number;
  after?: string;
  page?: number;
  order: 'newest' | 'oldest';
  all?: boolean;
  deleted?: boolean;
  json?: boolean;
}

interface Page extends Chunk<ReadingFields> {
  totalCount: number;
}

const columns = (deleted: boolean): Column<ReadingFields>[] => [
  ['ID', (r) => r.id],
  ['TIMESTAMP', (r) => r.timestamp],
  ['TYPE', (r) => r.sensorType],
  ['VALUE', (r) => String(r.value)],
  ['DEVICE', deviceName],
  ['VERSION', (r) => String(r.version)],
  ...(deleted
    ? ([
        ['DELETED AT', (r) => orDash(r.deletedAt)],
        ['DELETED BY', (r) => orDash(r.deletedBy)],
      ] as Column<ReadingFields>[])
    : ([['UPDATED BY', (r) => (r.version > 0 ? orDash(r.updatedBy) : '-')]] as Column<ReadingFields>[])),
];

type Paging = { first: number; after?: string } | { page: number; limit: number };

async function fetchChunk(client: SensorClient, options: ListOptions, paging: Paging): Promise<Page> {
  const order = options.order === 'oldest' ? 'OLDEST_FIRST' : 'NEWEST_FIRST';
  const filter = readingFilter(options);
  if (options.deleted) return (await client.request(DeletedReadingsDocument, { filter, order, ...paging })).deletedReadings;
  const { readings } = await client.request(ReadingsDocument, { filter, order, withTotal: true, ...paging });
  return { ...readings, totalCount: readings.totalCount ?? 0 };
}

function fetchReadings(client: SensorClient, options: ListOptions) {
  if (options.page !== undefined) return collectNumberedPage((page, limit) => fetchChunk(client, options, { page, limit }), options.page, options.limit);
  return collectByCursor((first, after) => fetchChunk(client, options, { first, ...(after ? { after } : {}) }), options.all ? Infinity : options.limit, options.after);
}

function pageNote(page: Page, options: ListOptions, shown: number): string {
  const { totalCount } = page;
  if (totalCount === 0) return 'no readings match';
  if (options.page !== undefined) {
    const first = (options.page - 1) * options.limit + 1;
    if (shown === 0) return `page ${options.page} is past the last (${totalCount} readings match)`;
    const more = first + shown - 1 < totalCount ? `; next: --page ${options.page + 1}` : '';
    return `page ${options.page}: readings ${first}–${first + shown - 1} of ${totalCount}${more}`;
  }
  const more = page.pageInfo.hasNextPage && page.pageInfo.endCursor ? `; next page: --after ${page.pageInfo.endCursor}` : '';
  return `${shown} of ${totalCount} readings${more}`;
}

async function list(ctx: CliContext, command: Command, options: ListOptions): Promise<void> {
  if (options.all && options.page !== undefined) throw usageError('--all follows cursors: it does not go with --page');
  const { client } = connection(ctx, command);
  const { nodes, last: page } = await fetchReadings(client, options);
  if (options.json) {
    ctx.output.out(json({ totalCount: page.totalCount, readings: nodes, pageInfo: page.pageInfo }));
    return;
  }
  if (nodes.length) ctx.output.out(table(nodes, columns(options.deleted ?? false)));
  ctx.output.note(pageNote(page, options, nodes.length));
}

/**
 * Edits and deletes answer once the projector has applied them. If it is slow the server
 * says CHANGE_PENDING: the same request with the same idempotency key gets the result once
 * there is one, so the CLI asks again for a while before leaving it to the user.
 */
async function applyChange<T>(ctx: CliContext, idempotencyKey: string, send: (key: string) => Promise<T>, waitMs = 30_000): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (let noted = false; ; noted = true) {
    try {
      return await send(idempotencyKey);
    } catch (error) {
      if (!(error instanceof SdkError && error.code === 'CHANGE_PENDING')) throw error;
      if (Date.now() > deadline) {
        throw new CliError(`the change was accepted but is not applied yet: run the same command with --idempotency-key ${idempotencyKey} to get its result`, EXIT.error);
      }
      if (!noted) ctx.output.note(`the change is accepted and waits for the projector (idempotency key ${idempotencyKey})…`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

interface ChangeOptions extends FilterOptions {
  idempotencyKey?: string;
  json?: boolean;
}

function changeCommand(parent: Command, name: string, description: string): Command {
  return addFilterOptions(parent.command(name).description(description))
    .option('--idempotency-key <key>', 'makes a retry safe: the change is applied once, and a retry prints its result')
    .option(...JSON_OPTION);
}

function printChange(ctx: CliContext, options: ChangeOptions, verb: string, result: { affected: number; sequence: string; commandId: string }): void {
  if (options.json) ctx.output.out(json(result));
  else ctx.output.out(`${verb} ${result.affected} reading${result.affected === 1 ? '' : 's'} (change ${result.sequence})`);
}

export function readingsCommand(ctx: CliContext): Command {
  const readings = new Command('readings').description('list, edit, delete and restore readings');

  addFilterOptions(readings.command('list').description('list readings, newest first, a page at a time'))
    .addOption(new Option('-l, --limit <n>', 'readings per page').default(20).argParser(integer(1, 10_000)))
    .addOption(new Option('--after <cursor>', 'the page after this cursor (printed under the table)').conflicts('page'))
    .option('--page <n>', 'numbered page, from 1 (with --limit)', integer(1))
    .addOption(new Option('--order <order>', 'newest or oldest first').choices(['newest', 'oldest']).default('newest'))
    .option('--all', 'every page, following the cursors')
    .option('--deleted', 'the deleted readings instead (admins)')
    .option(...JSON_OPTION)
    .addHelpText(
      'after',
      `
Examples:
  sensorctl readings list --device A-7 --limit 50
  sensorctl readings list --sensor-type humidity --from 2026-01-01T00:00:00Z --to 2026-01-31T23:59:59Z --json
  sensorctl readings list --deleted --all`,
    )
    .action((options: ListOptions, command: Command) => list(ctx, command, options));

  changeCommand(readings, 'edit', 'change the sensor type, value or timestamp of every reading matching the filter')
    .option('--set-value <value>', 'the new value (0 is a value)', decimal)
    .option('--set-type <type>', 'the new sensor type')
    .option('--set-timestamp <time>', 'the new timestamp (RFC 3339 with an offset)', time())
    .addHelpText('after', '\nExample:\n  sensorctl readings edit --device-code A --device-number 7 --from 2026-01-31T12:00:00Z --to 2026-01-31T13:00:00Z --set-value 21.5')
    .action(async (options: ChangeOptions & { setValue?: number; setType?: string; setTimestamp?: string }, command: Command) => {
      const { client } = connection(ctx, command);
      const changes: ReadingChanges = {};
      if (options.setValue !== undefined) changes.value = options.setValue;
      if (options.setType !== undefined) changes.sensorType = options.setType;
      if (options.setTimestamp !== undefined) changes.timestamp = options.setTimestamp;
      const filter = readingFilter(options);
      const { updateReadings } = await applyChange(ctx, options.idempotencyKey ?? randomUUID(), (idempotencyKey) =>
        client.request(UpdateReadingsDocument, { filter, changes, idempotencyKey }),
      );
      printChange(ctx, options, 'updated', updateReadings);
    });

  changeCommand(readings, 'delete', 'delete every reading matching the filter (admins; soft: `readings restore` brings them back)')
    .addHelpText('after', '\nExample:\n  sensorctl readings delete --sensor-type humidity --to 2026-01-01T00:00:00Z')
    .action(async (options: ChangeOptions, command: Command) => {
      const { client } = connection(ctx, command);
      const filter = readingFilter(options);
      const { deleteReadings } = await applyChange(ctx, options.idempotencyKey ?? randomUUID(), (idempotencyKey) =>
        client.request(DeleteReadingsDocument, { filter, idempotencyKey }),
      );
      printChange(ctx, options, 'deleted', deleteReadings);
    });

  changeCommand(readings, 'restore', 'restore every deleted reading matching the filter (admins)')
    .action(async (options: ChangeOptions, command: Command) => {
      const { client } = connection(ctx, command);
      const filter = readingFilter(options);
      const { restoreReadings } = await applyChange(ctx, options.idempotencyKey ?? randomUUID(), (idempotencyKey) =>
        client.request(RestoreReadingsDocument, { filter, idempotencyKey }),
      );
      printChange(ctx, options, 'restored', restoreReadings);
    });

  return readings;
}
