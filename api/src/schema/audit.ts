/** `auditEvents` (admins): who did what, read from the stream itself rather than the read model. */
import type { AuditEvent } from '../../../schema/src/audit.ts';
import { SENSOR_TYPES, type SensorType } from '../../../schema/src/sensors.ts';
import { builder } from '../builder.ts';
import { badInput } from '../core/errors.ts';

const AuditEventType = builder.objectRef<AuditEvent>('AuditEvent').implement({
  description: 'One message of the event stream, as an auditor sees it.',
  fields: (t) => ({
    sequence: t.string({ description: 'Stream sequence (also the cursor).', resolve: (e) => String(e.sequence) }),
    time: t.field({ type: 'DateTime', description: 'When the stream stored it.', resolve: (e) => e.time }),
    subject: t.exposeString('subject'),
    type: t.exposeString('type', { description: 'Event type, or INVALID for a message that is no valid event.' }),
    actor: t.exposeString('actor', { nullable: true }),
    eventId: t.exposeString('eventId', { nullable: true }),
    occurredAt: t.field({ type: 'DateTime', nullable: true, resolve: (e) => e.occurredAt }),
    data: t.string({ description: "The event's data as JSON text.", resolve: (e) => JSON.stringify(e.data) }),
    problem: t.exposeString('problem', { nullable: true, description: 'Why the projector refuses it (INVALID only).' }),
  }),
});

const AuditEventFilter = builder.inputType('AuditEventFilter', {
  fields: (t) => ({
    deviceCode: t.string({ description: 'Readings and device events of the device, and changes whose filter names it.' }),
    deviceNumber: t.int(),
    sensorType: t.string({ description: SENSOR_TYPES.join(', ') }),
    from: t.field({ type: 'DateTime', description: 'When the stream stored the event; inclusive.' }),
    to: t.field({ type: 'DateTime', description: 'Inclusive.' }),
    actor: t.string(),
    types: t.stringList({ description: 'Event type names (ReadingsEdited…), or INVALID.' }),
  }),
});

builder.queryFields((t) => ({
  auditEvents: t.connection(
    {
      type: AuditEventType,
      description:
        'Events from the stream, oldest first, for a device, time range, actor or event type. A page reads at most 50,000 messages of the stream: a sparse filter may answer a page with fewer events (even none) and hasNextPage; go on from endCursor.',
      authScopes: { permission: 'readAuditEvents' },
      args: { filter: t.arg({ type: AuditEventFilter }) },
      resolve: async (_r, args, ctx) => {
        if (args.last != null || args.before != null) throw badInput('audit events are paged forward: use first/after', 'last');
        const f = args.filter ?? {};
        const page = await ctx.services.audit.page(
          {
            ...(f.deviceCode != null ? { deviceCode: f.deviceCode } : {}),
            ...(f.deviceNumber != null ? { deviceNumber: f.deviceNumber } : {}),
            ...(f.sensorType != null ? { sensorType: f.sensorType as SensorType } : {}),
            ...(f.from != null ? { from: f.from } : {}),
            ...(f.to != null ? { to: f.to } : {}),
            ...(f.actor != null ? { actor: f.actor } : {}),
            ...(f.types != null ? { types: f.types } : {}),
          },
          args,
        );
        const cursors = page.events.map((e) => String(e.sequence));
        return {
          edges: page.events.map((node, i) => ({ node, cursor: cursors[i]! })),
          pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: args.after != null, startCursor: cursors[0] ?? null, endCursor: page.endCursor },
        };
      },
    },
    { name: 'AuditEventConnection' },
  ),
}));
