/** `sensorctl devices list|show|assign-target|command`. */
import { randomUUID } from 'node:crypto';
import { Argument, Command, Option } from 'commander';
import {
  AssignDeviceTargetDocument,
  DeviceDocument,
  DevicesDocument,
  SendDeviceCommandDocument,
  type DeviceCommand,
  type DeviceFields,
  type DeviceFilter,
  type DeviceStatus,
} from '../../../sdk/index.ts';
import { connection, type CliContext } from '../context.ts';
import { CliError, EXIT, usageError } from '../errors.ts';
import { decimal, integer, JSON_OPTION, parseDevice } from '../options.ts';
import { deviceName, json, orDash, table } from '../output.ts';
import { collectByCursor } from '../paging.ts';

const STATUSES: Record<string, DeviceStatus> = { online: 'ONLINE', offline: 'OFFLINE', sleeping: 'SLEEPING', 'awaiting-target': 'AWAITING_TARGET' };
const statusName = (status: DeviceStatus) => status.toLowerCase().replace('_', '-');

const COMMANDS: Record<string, DeviceCommand> = { sleep: 'SLEEP', wake: 'WAKE', 'set-interval': 'SET_INTERVAL' };
const DONE: Record<string, (device: string, seconds?: number) => string> = {
  sleep: (device) => `${device} sleeps`,
  wake: (device) => `${device} is awake`,
  'set-interval': (device, seconds) => `${device} measures every ${seconds}s`,
};

function describeTarget(target: { name: string; latitude?: number | null; longitude?: number | null } | null): string {
  if (!target) return '-';
  return target.latitude != null && target.longitude != null ? `${target.name} (${target.latitude}, ${target.longitude})` : target.name;
}

const deviceTable = (devices: readonly DeviceFields[]) =>
  table(devices, [
    ['DEVICE', deviceName],
    ['STATUS', (d) => statusName(d.status)],
    ['TYPES', (d) => d.sensorTypes.join(',') || '-'],
    ['LAST SEEN', (d) => orDash(d.lastSeenAt)],
    ['INTERVAL', (d) => `${d.intervalSeconds}s`],
    ['READINGS', (d) => String(d.readingCount)],
    ['LOST', (d) => String(d.lostMessages)],
    ['TARGET', (d) => describeTarget(d.target)],
  ]);

interface ListOptions {
  status?: string;
  deviceCode?: string;
  sensorType?: string;
  limit: number;
  after?: string;
  all?: boolean;
  json?: boolean;
}

async function list(ctx: CliContext, command: Command, options: ListOptions): Promise<void> {
  const { client } = connection(ctx, command);
  const filter: DeviceFilter = {};
  if (options.status) filter.status = STATUSES[options.status]!;
  if (options.deviceCode) filter.deviceCode = options.deviceCode;
  if (options.sensorType) filter.sensorType = options.sensorType;
  const { nodes: devices, last } = await collectByCursor(
    async (first, after) => (await client.request(DevicesDocument, { filter, first, ...(after ? { after } : {}) })).devices,
    options.all ? Infinity : options.limit,
    options.after,
  );
  const { pageInfo } = last;
  if (options.json) return ctx.output.out(json({ devices, pageInfo }));
  if (devices.length) ctx.output.out(deviceTable(devices));
  const more = pageInfo.hasNextPage && pageInfo.endCursor ? `; next page: --after ${pageInfo.endCursor}` : '';
  ctx.output.note(devices.length ? `${devices.length} device${devices.length === 1 ? '' : 's'}${more}` : 'no devices match');
}

function printResult(ctx: CliContext, options: { json?: boolean }, result: { applied: boolean; sequence: string; commandId: string }, done: string): void {
  if (options.json) ctx.output.out(json(result));
  // The server checks the device exists first; it can only have gone between the check and the change.
  if (!result.applied) throw new CliError(`the change was recorded (${result.sequence}) but found no device to apply to`, EXIT.notFound);
  if (!options.json) ctx.output.out(`${done} (change ${result.sequence})`);
}

export function devicesCommand(ctx: CliContext): Command {
  const devices = new Command('devices').description('list devices, give them targets, send them commands');

  devices
    .command('list')
    .description('list devices with their status (online, offline, sleeping, awaiting-target), last reading and target')
    .addOption(new Option('-s, --status <status>', 'only devices in this status').choices(Object.keys(STATUSES)))
    .option('-d, --device-code <code>', 'only devices with this code')
    .option('-t, --sensor-type <type>', 'only devices that measure this sensor type')
    .addOption(new Option('-l, --limit <n>', 'devices per page').default(100).argParser(integer(1, 10_000)))
    .option('--after <cursor>', 'the page after this cursor (printed under the table)')
    .option('--all', 'every page, following the cursors')
    .option(...JSON_OPTION)
    .addHelpText('after', '\nExamples:\n  sensorctl devices list --status awaiting-target\n  sensorctl devices list --sensor-type humidity --all --json')
    .action((options: ListOptions, command: Command) => list(ctx, command, options));

  devices
    .command('show')
    .description('one device, with its newest reading of each sensor type')
    .argument('<device>', 'the device as CODE-NUMBER, e.g. A-7')
    .option(...JSON_OPTION)
    .action(async (raw: string, options: { json?: boolean }, command: Command) => {
      const { client } = connection(ctx, command);
      const { device } = await client.request(DeviceDocument, parseDevice(raw));
      if (!device) throw new CliError(`no device ${raw} has been seen`, EXIT.notFound);
      if (options.json) return ctx.output.out(json(device));
      ctx.output.out(deviceTable([device]));
      if (device.latestReadings.length) {
        ctx.output.out('');
        ctx.output.out(
          table(device.latestReadings, [
            ['TYPE', (r) => r.sensorType],
            ['VALUE', (r) => String(r.value)],
            ['TIMESTAMP', (r) => r.timestamp],
            ['ID', (r) => r.id],
          ]),
        );
      }
    });

  devices
    .command('assign-target')
    .description('give a device its target (what it measures, optionally where); a device awaiting one starts measuring (admins)')
    .argument('<device>', 'the device as CODE-NUMBER, e.g. A-7')
    .requiredOption('--name <name>', 'the target, e.g. greenhouse')
    .option('--latitude <degrees>', 'where: latitude, -90…90', decimal)
    .option('--longitude <degrees>', 'where: longitude, -180…180', decimal)
    .option('--idempotency-key <key>', 'makes a retry safe: the assignment is recorded once')
    .option(...JSON_OPTION)
    .addHelpText('after', '\nExample:\n  sensorctl devices assign-target A-7 --name greenhouse --latitude 52.1 --longitude 4.3')
    .action(async (raw: string, options: { name: string; latitude?: number; longitude?: number; idempotencyKey?: string; json?: boolean }, command: Command) => {
      const device = parseDevice(raw);
      if ((options.latitude === undefined) !== (options.longitude === undefined)) throw usageError('--latitude and --longitude go together');
      const { client } = connection(ctx, command);
      const target = { name: options.name, ...(options.latitude !== undefined ? { latitude: options.latitude, longitude: options.longitude } : {}) };
      const { assignDeviceTarget } = await client.request(AssignDeviceTargetDocument, { ...device, target, idempotencyKey: options.idempotencyKey ?? randomUUID() });
      printResult(ctx, options, assignDeviceTarget, `${raw} now measures ${describeTarget(target)}`);
    });

  devices
    .command('command')
    .description('tell a device to sleep, wake, or measure every <seconds> (admins)')
    .argument('<device>', 'the device as CODE-NUMBER, e.g. A-7')
    .addArgument(new Argument('<command>', 'sleep, wake or set-interval').choices(Object.keys(COMMANDS)))
    .argument('[seconds]', 'for set-interval: seconds between two readings, 5–86400', integer(1))
    .option('--idempotency-key <key>', 'makes a retry safe: the command is recorded once')
    .option(...JSON_OPTION)
    .addHelpText('after', '\nExamples:\n  sensorctl devices command A-7 sleep\n  sensorctl devices command A-7 set-interval 30')
    .action(async (raw: string, name: string, seconds: number | undefined, options: { idempotencyKey?: string; json?: boolean }, command: Command) => {
      const device = parseDevice(raw);
      const deviceCommand = COMMANDS[name]!;
      if (deviceCommand === 'SET_INTERVAL' && seconds === undefined) throw usageError('set-interval needs the seconds, e.g. `sensorctl devices command A-7 set-interval 30`');
      if (deviceCommand !== 'SET_INTERVAL' && seconds !== undefined) throw usageError(`${name} takes no seconds`);
      const { client } = connection(ctx, command);
      const { sendDeviceCommand } = await client.request(SendDeviceCommandDocument, {
        ...device,
        command: deviceCommand,
        ...(seconds !== undefined ? { intervalSeconds: seconds } : {}),
        idempotencyKey: options.idempotencyKey ?? randomUUID(),
      });
      printResult(ctx, options, sendDeviceCommand, DONE[name]!(raw, seconds));
    });

  return devices;
}
