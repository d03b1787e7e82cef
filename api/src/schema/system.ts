import { builder } from '../builder.ts';
import type { SystemStatus } from '../core/system-status.ts';

const SystemStatusType = builder.objectRef<SystemStatus>('SystemStatus').implement({
  fields: (t) => ({
    streamName: t.exposeString('streamName'),
    streamHead: t.string({ description: 'Sequence of the newest event in the stream.', resolve: (s) => String(s.streamHead) }),
    streamMessages: t.string({ resolve: (s) => String(s.streamMessages) }),
    projectorPosition: t.string({ description: 'Sequence of the last event applied to the read model.', resolve: (s) => String(s.projectorPosition) }),
    projectorLastEventAt: t.field({ type: 'DateTime', nullable: true, resolve: (s) => s.projectorLastEventAt?.replace(' ', 'T').replace(/\+00$/, 'Z') ?? null }),
    lag: t.int({ description: 'Events in the stream not yet applied.', resolve: (s) => s.lag }),
    deadLetters: t.int({ description: 'Events refused by the projector, in the dead-letter stream.', resolve: (s) => s.deadLetters }),
  }),
});

builder.queryFields((t) => ({
  systemStatus: t.field({
    type: SystemStatusType,
    authScopes: { permission: 'readSystemStatus' },
    resolve: (_r, _a, ctx) => ctx.services.status.read(),
  }),
}));
