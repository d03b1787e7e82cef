/** Device logs: `deviceLogs` (pages read from the log stream), `deviceLogged` (live) and `setDeviceLogLevel`. */
import type { DeviceLogLine } from '../../../schema/src/logs.ts';
import { builder } from '../builder.ts';
import { parseLogCursor, validateLogFilter } from '../core/logs/queries.ts';
import { CommandResult } from './devices.ts';
import { LogLevelEnum } from './log-level.ts';

const DeviceLogField = builder.objectRef<[string, string | number | boolean | null]>('DeviceLogField').implement({
  description: 'One entry of a log line’s structured context.',
  fields: (t) => ({
    name: t.string({ resolve: ([name]) => name }),
    value: t.string({ description: 'The value as JSON: a string is quoted, a number or boolean is not, null is null.', resolve: ([, value]) => JSON.stringify(value) }),
  }),
});

export const DeviceLogLineType = builder.objectRef<DeviceLogLine>('DeviceLogLine').implement({
  description: 'A line a device logged. Kept in the log stream for DEVICE_LOG_RETENTION (24 h by default), then dropped.',
  fields: (t) => ({
    sequence: t.string({ description: 'Its sequence in the log stream: the cursor of deviceLogs, and what deviceLogged resumes after.', resolve: (l) => String(l.sequence) }),
    deviceCode: t.exposeString('deviceCode'),
    deviceNumber: t.exposeInt('deviceNumber'),
    level: t.field({ type: LogLevelEnum, resolve: (l) => l.level }),
    message: t.exposeString('message'),
    occurredAt: t.field({ type: 'DateTime', description: 'When the device logged it (its clock); when it was stored, if the device gave no time.', resolve: (l) => l.occurredAt }),
    receivedAt: t.field({ type: 'DateTime', description: 'When the log stream stored it.', resolve: (l) => l.receivedAt }),
    source: t.exposeString('source', { nullable: true, description: 'What wrote it (a simulator instance, a firmware version), if the device said.' }),
    fields: t.field({ type: [DeviceLogField], resolve: (l) => Object.entries(l.fields) }),
  }),
});

const DeviceRefInput = builder.inputType('DeviceRefInput', {
  fields: (t) => ({ deviceCode: t.string({ required: true }), deviceNumber: t.int({ required: true }) }),
});

const DeviceLogFilter = builder.inputType('DeviceLogFilter', {
  description: 'Any of these: one device, every device of a code, or every device of a number; lines at minLevel or above.',
  fields: (t) => ({ deviceCode: t.string(), deviceNumber: t.int(), minLevel: t.field({ type: LogLevelEnum }) }),
});

builder.queryFields((t) => ({
  deviceLogs: t.connection(
    {
      type: DeviceLogLineType,
      authScopes: { permission: 'readDeviceLogs' },
      description:
        'One device’s log lines at minLevel or above, oldest first, stored (`receivedAt`) from `from` to `to` (both inclusive). Page forward with first/after (from `from`, or the oldest line kept), or take the newest with last/before. At most 1,000 a page (100 by default).',
      args: {
        device: t.arg({ type: DeviceRefInput, required: true }),
        minLevel: t.arg({ type: LogLevelEnum, defaultValue: 'debug' }),
        from: t.arg({ type: 'DateTime' }),
        to: t.arg({ type: 'DateTime' }),
      },
      resolve: async (_r, args, ctx) => {
        const page = await ctx.services.deviceLogs.list(ctx.caller, {
          device: args.device,
          minLevel: args.minLevel,
          from: args.from,
          to: args.to,
          first: args.first,
          after: args.after,
          last: args.last,
          before: args.before,
        });
        return {
          edges: page.lines.map((node) => ({ node, cursor: String(node.sequence) })),
          pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: page.hasPreviousPage, startCursor: page.startCursor, endCursor: page.endCursor },
        };
      },
    },
    { name: 'DeviceLogConnection' },
  ),
}));

builder.subscriptionFields((t) => ({
  deviceLogged: t.field({
    type: DeviceLogLineType,
    authScopes: { permission: 'readDeviceLogs' },
    description:
      'Log lines as devices publish them, matching the filter. With afterSequence, first every matching line stored after that sequence (still kept), then live: no gap, no duplicate.',
    args: { filter: t.arg({ type: DeviceLogFilter }), afterSequence: t.arg.string() },
    subscribe: (_root, args, ctx) => {
      const filter = args.filter ?? {};
      return ctx.services.logFeed.follow(
        ctx.services.live,
        { caller: ctx.caller!, expiresAt: ctx.expiresAt },
        validateLogFilter({ deviceCode: filter.deviceCode ?? undefined, deviceNumber: filter.deviceNumber ?? undefined, minLevel: filter.minLevel ?? undefined }),
        args.afterSequence == null ? null : parseLogCursor(args.afterSequence, 'afterSequence'),
      );
    },
    resolve: (line) => line,
  }),
}));

builder.mutationFields((t) => ({
  setDeviceLogLevel: t.field({
    type: CommandResult,
    authScopes: { permission: 'controlDevices' },
    description: 'The lowest level of log line the device publishes from now on: a SET_LOG_LEVEL device command that the device obeys; returns once the read model (Device.logLevel) shows it.',
    args: {
      deviceCode: t.arg.string({ required: true }),
      deviceNumber: t.arg.int({ required: true }),
      level: t.arg({ type: LogLevelEnum, required: true }),
      idempotencyKey: t.arg.string(),
    },
    resolve: (_r, args, ctx) => ctx.services.devices.setLogLevel(ctx.caller, { deviceCode: args.deviceCode, deviceNumber: args.deviceNumber }, args.level, args.idempotencyKey),
  }),
}));
