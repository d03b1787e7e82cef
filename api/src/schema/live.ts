import { builder } from '../builder.ts';
import { badInput } from '../core/errors.ts';
import { validateFilter } from '../core/readings/input.ts';
import type { ReadingsChange } from '../live/service.ts';
import { Reading, ReadingFilter } from './readings.ts';

const ReadingsChangeKind = builder.enumType('ReadingsChangeKind', { values: ['EDITED', 'DELETED', 'RESTORED'] as const });

const ReadingFilterValue = builder.objectRef<ReadingsChange['event']['data']['filter']>('ReadingFilterValue').implement({
  fields: (t) => ({
    deviceCode: t.exposeString('deviceCode', { nullable: true }),
    deviceNumber: t.exposeInt('deviceNumber', { nullable: true }),
    sensorType: t.exposeString('sensorType', { nullable: true }),
    from: t.field({ type: 'DateTime', nullable: true, resolve: (f) => f.from ?? null }),
    to: t.field({ type: 'DateTime', nullable: true, resolve: (f) => f.to ?? null }),
  }),
});

const ReadingChangesValue = builder.objectRef<{ sensorType?: string; value?: number; timestamp?: string }>('ReadingChangesValue').implement({
  fields: (t) => ({
    sensorType: t.exposeString('sensorType', { nullable: true }),
    value: t.exposeFloat('value', { nullable: true }),
    timestamp: t.field({ type: 'DateTime', nullable: true, resolve: (c) => c.timestamp ?? null }),
  }),
});

const ReadingsChangeType = builder.objectRef<ReadingsChange>('ReadingsChange').implement({
  description: 'An edit, delete or restore that the projector has applied to at least one reading.',
  fields: (t) => ({
    sequence: t.string({ description: 'Stream sequence of the change event.', resolve: (c) => String(c.sequence) }),
    kind: t.field({ type: ReadingsChangeKind, resolve: (c) => c.kind }),
    commandId: t.string({ resolve: (c) => c.event.data.commandId }),
    actor: t.string({ resolve: (c) => c.event.actor }),
    occurredAt: t.field({ type: 'DateTime', resolve: (c) => c.event.occurredAt }),
    affected: t.exposeInt('affected'),
    filter: t.field({ type: ReadingFilterValue, resolve: (c) => c.event.data.filter }),
    changes: t.field({ type: ReadingChangesValue, nullable: true, resolve: (c) => (c.event.type === 'ReadingsEdited' ? c.event.data.changes : null) }),
  }),
});

function parseSequence(value: string | null | undefined): number | null {
  if (value == null) return null;
  if (!/^\d{1,15}$/.test(value)) throw badInput('afterSequence must be a stream sequence (a whole number, as a string)', 'afterSequence');
  return Number(value);
}

builder.subscriptionType({ authScopes: { authenticated: true } });

builder.subscriptionFields((t) => ({
  readingRecorded: t.field({
    type: Reading,
    authScopes: { permission: 'readReadings' },
    description:
      'Readings as they are recorded, matching the filter. With afterSequence, first every matching reading stored after that stream sequence, then live: no gap, no duplicate. Resume after a disconnect with the last `sequence` you received.',
    args: { filter: t.arg({ type: ReadingFilter }), afterSequence: t.arg.string() },
    subscribe: (_root, args, ctx) =>
      ctx.services.live.readingRecorded({ caller: ctx.caller!, expiresAt: ctx.expiresAt, requestId: ctx.requestId }, validateFilter(args.filter), parseSequence(args.afterSequence)),
    resolve: (reading) => reading,
  }),
  readingsChanged: t.field({
    type: ReadingsChangeType,
    authScopes: { permission: 'readReadings' },
    description: 'Edits, deletes and restores that touched readings, whose filter overlaps this one; sent once applied.',
    args: { filter: t.arg({ type: ReadingFilter }) },
    subscribe: (_root, args, ctx) => ctx.services.live.readingsChanged({ caller: ctx.caller!, expiresAt: ctx.expiresAt, requestId: ctx.requestId }, validateFilter(args.filter)),
    resolve: (change) => change,
  }),
}));
