import { builder } from '../builder.ts';
import { DEVICE_STATUSES, findDevice, listDevices, encodeDeviceCursor, type DeviceRow } from '../core/devices/queries.ts';
import { badInput } from '../core/errors.ts';
import { validateFilter } from '../core/readings/input.ts';
import { listReadings } from '../core/readings/queries.ts';
import { DEVICE_COMMANDS } from '../../../schema/src/events.ts';
import { SENSOR_TYPES } from '../../../schema/src/sensors.ts';
import type { DeviceStatusChange } from '../live/device-status.ts';
import { LogLevelEnum } from './log-level.ts';
import { Reading } from './readings.ts';

const DeviceStatusEnum = builder.enumType('DeviceStatus', {
  values: DEVICE_STATUSES,
  description: 'AWAITING_TARGET: announced, measuring nothing until a target is assigned. SLEEPING: told to sleep. Else ONLINE while a reading arrived within three of the device’s intervals, or OFFLINE.',
});

const DeviceTargetType = builder.objectRef<NonNullable<DeviceRow['target']>>('DeviceTarget').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    latitude: t.exposeFloat('latitude', { nullable: true }),
    longitude: t.exposeFloat('longitude', { nullable: true }),
  }),
});

const DeviceTargetInput = builder.inputType('DeviceTargetInput', {
  fields: (t) => ({ name: t.string({ required: true }), latitude: t.float(), longitude: t.float() }),
});

const DeviceCommandEnum = builder.enumType('DeviceCommand', { values: DEVICE_COMMANDS });

export const Device = builder.objectRef<DeviceRow>('Device').implement({
  fields: (t) => ({
    deviceCode: t.exposeString('deviceCode'),
    deviceNumber: t.exposeInt('deviceNumber'),
    status: t.field({ type: DeviceStatusEnum, resolve: (d) => d.status }),
    firstSeenAt: t.field({ type: 'DateTime', nullable: true, resolve: (d) => d.firstSeenAt }),
    lastSeenAt: t.field({ type: 'DateTime', nullable: true, description: 'When its newest reading was recorded.', resolve: (d) => d.lastSeenAt }),
    target: t.field({ type: DeviceTargetType, nullable: true, resolve: (d) => d.target }),
    sensorTypes: t.exposeStringList('sensorTypes'),
    readingCount: t.float({ description: 'Readings received (deleted ones included).', resolve: (d) => d.readingCount }),
    lostMessages: t.exposeInt('lostMessages', { description: 'Readings the device numbered (`seq`) that never arrived; late arrivals are not lost.' }),
    intervalSeconds: t.float({ resolve: (d) => d.intervalMs / 1000 }),
    logLevel: t.field({ type: LogLevelEnum, description: 'The lowest level of log line the device was told to publish (setDeviceLogLevel); INFO unless told otherwise.', resolve: (d) => d.logLevel }),
    latestReadings: t.field({
      type: [Reading],
      description: 'The newest reading of each sensor type.',
      resolve: async (d, _a, ctx) => {
        const pages = await Promise.all(
          d.sensorTypes.map((sensorType) =>
            listReadings(ctx.services.db, 'active', validateFilter({ deviceCode: d.deviceCode, deviceNumber: d.deviceNumber, sensorType }), { first: 1 }),
          ),
        );
        return pages.flatMap((p) => p.rows);
      },
    }),
  }),
});

const DeviceFilter = builder.inputType('DeviceFilter', {
  fields: (t) => ({
    deviceCode: t.string(),
    status: t.field({ type: DeviceStatusEnum }),
    sensorType: t.string({ description: SENSOR_TYPES.join(', ') }),
  }),
});

builder.queryFields((t) => ({
  devices: t.connection(
    {
      type: Device,
      authScopes: { permission: 'readReadings' },
      args: { filter: t.arg({ type: DeviceFilter }) },
      resolve: async (_r, args, ctx) => {
        if (args.last != null || args.before != null) throw badInput('devices are paged forward: use first/after', 'last');
        const page = await listDevices(ctx.services.db, args.filter ?? {}, args, ctx.services.clock());
        const cursors = page.rows.map(encodeDeviceCursor);
        return {
          edges: page.rows.map((node, i) => ({ node, cursor: cursors[i]! })),
          pageInfo: { hasNextPage: page.hasNextPage, hasPreviousPage: page.hasPreviousPage, startCursor: cursors[0] ?? null, endCursor: cursors.at(-1) ?? null },
        };
      },
    },
    { name: 'DeviceConnection' },
  ),
  device: t.field({
    type: Device,
    nullable: true,
    authScopes: { permission: 'readReadings' },
    args: { deviceCode: t.arg.string({ required: true }), deviceNumber: t.arg.int({ required: true }) },
    resolve: (_r, args, ctx) => findDevice(ctx.services.db, args.deviceCode, args.deviceNumber, ctx.services.clock()),
  }),
}));

const DeviceStatusChangeType = builder.objectRef<DeviceStatusChange>('DeviceStatusChange').implement({
  fields: (t) => ({
    device: t.field({ type: Device, resolve: (c) => c.device }),
    status: t.field({ type: DeviceStatusEnum, resolve: (c) => c.device.status }),
    previousStatus: t.field({ type: DeviceStatusEnum, nullable: true, description: 'Null when the device is new.', resolve: (c) => c.previousStatus }),
    at: t.field({ type: 'DateTime', resolve: (c) => c.at }),
  }),
});

builder.subscriptionFields((t) => ({
  deviceStatusChanged: t.field({
    type: DeviceStatusChangeType,
    authScopes: { permission: 'readReadings' },
    description: 'Every status transition of matching devices, online/offline included (offline is noticed within about a second).',
    args: { deviceCode: t.arg.string(), deviceNumber: t.arg.int(), status: t.arg({ type: DeviceStatusEnum }) },
    subscribe: (_root, args, ctx) =>
      ctx.services.live.deviceStatusChanged(
        { caller: ctx.caller!, expiresAt: ctx.expiresAt, requestId: ctx.requestId },
        { deviceCode: args.deviceCode ?? undefined, deviceNumber: args.deviceNumber ?? undefined, status: args.status ?? undefined },
      ),
    resolve: (change) => change,
  }),
}));

export const CommandResult = builder.objectRef<{ affected: number; sequence: number; commandId: string }>('DeviceCommandResult').implement({
  fields: (t) => ({
    applied: t.boolean({ description: 'Whether the device was found and changed.', resolve: (r) => r.affected > 0 }),
    sequence: t.string({ resolve: (r) => String(r.sequence) }),
    commandId: t.exposeString('commandId'),
  }),
});

builder.mutationFields((t) => ({
  sendDeviceCommand: t.field({
    type: CommandResult,
    authScopes: { permission: 'controlDevices' },
    description:
      'SLEEP, WAKE, SET_INTERVAL (with intervalSeconds ≥ 5) or SET_LOG_LEVEL (with logLevel; setDeviceLogLevel does the same): appended as an event that the device (its simulator) obeys; returns once the read model shows it.',
    args: {
      deviceCode: t.arg.string({ required: true }),
      deviceNumber: t.arg.int({ required: true }),
      command: t.arg({ type: DeviceCommandEnum, required: true }),
      intervalSeconds: t.arg.int(),
      logLevel: t.arg({ type: LogLevelEnum }),
      idempotencyKey: t.arg.string(),
    },
    resolve: (_r, args, ctx) =>
      ctx.services.devices.sendCommand(
        ctx.caller,
        { deviceCode: args.deviceCode, deviceNumber: args.deviceNumber },
        args.command,
        { intervalSeconds: args.intervalSeconds, logLevel: args.logLevel },
        args.idempotencyKey,
      ),
  }),
  assignDeviceTarget: t.field({
    type: CommandResult,
    authScopes: { permission: 'controlDevices' },
    description: 'Gives a device its target (what it measures, optionally where); a device awaiting one starts measuring.',
    args: {
      deviceCode: t.arg.string({ required: true }),
      deviceNumber: t.arg.int({ required: true }),
      target: t.arg({ type: DeviceTargetInput, required: true }),
      idempotencyKey: t.arg.string(),
    },
    resolve: (_r, args, ctx) =>
      ctx.services.devices.assignTarget(
        ctx.caller,
        { deviceCode: args.deviceCode, deviceNumber: args.deviceNumber },
        { name: args.target.name, latitude: args.target.latitude ?? undefined, longitude: args.target.longitude ?? undefined },
        args.idempotencyKey,
      ),
  }),
}));
