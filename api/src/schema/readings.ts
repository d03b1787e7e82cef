import { builder } from '../builder.ts';
import type { Context } from '../context.ts';
import { SENSOR_TYPES } from '../../../schema/src/sensors.ts';
import type { ChangeResult } from '../core/readings/change-waiter.ts';
import { validateFilter, type FilterInput } from '../core/readings/input.ts';
import { countReadings, findReading, listReadings, type ReadingOrder, type ReadingRow, type ReadingSet } from '../core/readings/queries.ts';
import { readingStats, STAT_BUCKETS, type StatRow } from '../core/readings/stats.ts';

export const Reading = builder.objectRef<ReadingRow>('Reading').implement({
  description: 'One measurement. Its id is the stream sequence of the event that recorded it, stable across rebuilds.',
  fields: (t) => ({
    id: t.exposeID('id'),
    sequence: t.exposeString('id', { description: 'Stream sequence of the ReadingRecorded event.' }),
    sensorType: t.exposeString('sensorType', { description: SENSOR_TYPES.join(', ') }),
    value: t.exposeFloat('value'),
    deviceCode: t.exposeString('deviceCode'),
    deviceNumber: t.exposeInt('deviceNumber'),
    timestamp: t.field({ type: 'DateTime', resolve: (r) => r.timestamp }),
    seq: t.exposeInt('seq', { nullable: true, description: 'Per-device counter from the source.' }),
    recordedAt: t.field({ type: 'DateTime', resolve: (r) => r.recordedAt }),
    updatedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.updatedAt }),
    updatedBy: t.exposeString('updatedBy', { nullable: true }),
    version: t.exposeInt('version', { description: 'How many times it was edited.' }),
    deletedAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.deletedAt }),
    deletedBy: t.exposeString('deletedBy', { nullable: true }),
    restoredAt: t.field({ type: 'DateTime', nullable: true, resolve: (r) => r.restoredAt }),
    restoredBy: t.exposeString('restoredBy', { nullable: true }),
  }),
});

export const ReadingFilter = builder.inputType('ReadingFilter', {
  description: 'Any of these; `from` and `to` are both inclusive, on `timestamp`.',
  fields: (t) => ({
    deviceCode: t.string(),
    deviceNumber: t.int(),
    sensorType: t.string(),
    from: t.field({ type: 'DateTime' }),
    to: t.field({ type: 'DateTime' }),
  }),
});

export const ReadingChanges = builder.inputType('ReadingChanges', {
  fields: (t) => ({ sensorType: t.string(), value: t.float(), timestamp: t.field({ type: 'DateTime' }) }),
});

const ReadingOrderEnum = builder.enumType('ReadingOrder', { values: ['NEWEST_FIRST', 'OLDEST_FIRST'] as const });

const ChangeResultType = builder.objectRef<ChangeResult>('ChangeResult').implement({
  fields: (t) => ({
    affected: t.exposeInt('affected', { description: 'How many readings the change touched.' }),
    sequence: t.string({ description: 'Stream sequence of the change event.', resolve: (r) => String(r.sequence) }),
    commandId: t.exposeString('commandId'),
  }),
});

interface ConnectionArgs {
  filter?: FilterInput | null;
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
  page?: number | null;
  limit?: number | null;
  order?: ReadingOrder | null;
}

async function readingConnection(set: ReadingSet, args: ConnectionArgs, ctx: Context) {
  const filter = validateFilter(args.filter);
  const page = await listReadings(ctx.services.db, set, filter, args);
  let total: Promise<number> | undefined;
  return {
    edges: page.rows.map((node, i) => ({ node, cursor: page.cursors[i]! })),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.cursors[0] ?? null,
      endCursor: page.cursors.at(-1) ?? null,
    },
    // Counted only when asked for, once per connection.
    totalCount: () => (total ??= countReadings(ctx.services.db, set, filter)),
  };
}

const pagingArgs = (t: Parameters<Parameters<typeof builder.queryFields>[0]>[0]) => ({
  filter: t.arg({ type: ReadingFilter }),
  page: t.arg.int({ description: 'Numbered pages (1-based), with `limit`; instead of `first`/`after`.' }),
  limit: t.arg.int({ description: 'Page size for numbered pages, 1–1000.' }),
  order: t.arg({ type: ReadingOrderEnum, description: 'Default NEWEST_FIRST.' }),
});

const connectionOptions = (name: string) => ({
  name,
  fields: (t: { int: (o: { resolve: (c: { totalCount: () => Promise<number> }) => Promise<number> }) => unknown }) => ({
    totalCount: t.int({ resolve: (connection) => connection.totalCount() }),
  }),
});

builder.queryFields((t) => ({
  readings: t.connection(
    {
      type: Reading,
      authScopes: { permission: 'readReadings' },
      args: pagingArgs(t),
      resolve: (_r, args, ctx) => readingConnection('active', args, ctx),
    },
    connectionOptions('ReadingConnection') as never,
  ),
  deletedReadings: t.connection(
    {
      type: Reading,
      authScopes: { permission: 'readDeletedReadings' },
      args: pagingArgs(t),
      resolve: (_r, args, ctx) => readingConnection('deleted', args, ctx),
    },
    connectionOptions('DeletedReadingConnection') as never,
  ),
  reading: t.field({
    type: Reading,
    nullable: true,
    authScopes: { permission: 'readReadings' },
    description: 'One reading by id; deleted readings only for admins.',
    args: { id: t.arg.id({ required: true }) },
    resolve: (_r, args, ctx) => findReading(ctx.services.db, String(args.id), ctx.caller),
  }),
}));

const changeArgs = (t: Parameters<Parameters<typeof builder.mutationFields>[0]>[0]) => ({
  filter: t.arg({ type: ReadingFilter, required: true }),
  idempotencyKey: t.arg.string({ description: 'Send the same key again to retry safely: the change is applied once and its result returned.' }),
});

builder.mutationFields((t) => ({
  updateReadings: t.field({
    type: ChangeResultType,
    authScopes: { permission: 'editReadings' },
    description: 'Changes every reading matching the filter; returns once applied.',
    args: { ...changeArgs(t), changes: t.arg({ type: ReadingChanges, required: true }) },
    resolve: (_r, args, ctx) => ctx.services.changes.apply('update', ctx.caller, args),
  }),
  deleteReadings: t.field({
    type: ChangeResultType,
    authScopes: { permission: 'deleteReadings' },
    description: 'Soft-deletes every reading matching the filter; returns once applied.',
    args: changeArgs(t),
    resolve: (_r, args, ctx) => ctx.services.changes.apply('deletion', ctx.caller, args),
  }),
  restoreReadings: t.field({
    type: ChangeResultType,
    authScopes: { permission: 'restoreReadings' },
    description: 'Restores every deleted reading matching the filter; returns once applied.',
    args: changeArgs(t),
    resolve: (_r, args, ctx) => ctx.services.changes.apply('restore', ctx.caller, args),
  }),
}));

const StatBucketEnum = builder.enumType('StatBucketSize', { values: STAT_BUCKETS, description: 'UTC minutes, hours or days.' });

const StatBucketType = builder.objectRef<StatRow>('StatBucket').implement({
  description: 'Aggregate of the active readings in one bucket (UTC).',
  fields: (t) => ({
    start: t.field({ type: 'DateTime', resolve: (b) => b.start }),
    count: t.exposeInt('count'),
    min: t.exposeFloat('min'),
    max: t.exposeFloat('max'),
    avg: t.exposeFloat('avg'),
  }),
});

builder.queryFields((t) => ({
  readingStats: t.field({
    type: [StatBucketType],
    authScopes: { permission: 'readReadings' },
    description: 'count/min/max/avg per minute, hour or day of the readings matching the filter, from per-minute rollups.',
    args: { filter: t.arg({ type: ReadingFilter }), bucket: t.arg({ type: StatBucketEnum, required: true }) },
    resolve: (_r, args, ctx) => readingStats(ctx.services.db, validateFilter(args.filter), args.bucket),
  }),
}));
