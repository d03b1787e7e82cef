/** `sensorctl sims list|start|stop|interval`: the running simulator instances (admins). */
import { Command } from 'commander';
import {
  SetSimulatorIntervalDocument,
  SimulatorsDocument,
  StartSimulatorDocument,
  StopSimulatorDocument,
  type SensorClient,
  type SimulatorFields,
} from '../../../sdk/index.ts';
import { connection, type CliContext } from '../context.ts';
import { CliError, describeError, EXIT, exitCodeOf, usageError } from '../errors.ts';
import { integer, JSON_OPTION } from '../options.ts';
import { json, orDash, table } from '../output.ts';

const simulatorTable = (simulators: readonly SimulatorFields[]) =>
  table(simulators, [
    ['ID', (s) => s.id],
    ['TYPE', (s) => s.sensorType],
    ['RUNNING', (s) => (s.running ? 'yes' : 'no')],
    ['INTERVAL', (s) => `${s.intervalSeconds}s`],
    ['DEVICES', (s) => String(s.devices)],
    ['PUBLISHED', (s) => String(s.published)],
    ['LAST ERROR', (s) => orDash(s.lastError)],
  ]);

interface TargetOptions {
  all?: boolean;
  json?: boolean;
}

/** The ids named, or with --all every running instance; naming none is a usage error. */
async function targetIds(client: SensorClient, ids: string[], options: TargetOptions, verb: string): Promise<string[]> {
  if (options.all && ids.length) throw usageError('name simulators or pass --all, not both');
  if (!options.all && !ids.length) throw usageError(`name the simulators to ${verb} (ids from \`sensorctl sims list\`) or pass --all`);
  if (!options.all) return ids;
  const { simulators } = await client.request(SimulatorsDocument);
  if (!simulators.length) throw new CliError('no simulator is running', EXIT.notFound);
  return simulators.map((s) => s.id);
}

/** Acts on each simulator in turn; all are tried, and the first failure decides the exit code. */
async function eachSimulator(ctx: CliContext, ids: string[], options: TargetOptions, act: (id: string) => Promise<SimulatorFields>): Promise<void> {
  const done: SimulatorFields[] = [];
  const failures: unknown[] = [];
  for (const id of ids) {
    try {
      done.push(await act(id));
    } catch (error) {
      failures.push(error);
      if (ids.length > 1) ctx.output.note(`${id}: ${describeError(error, ctx.server)}`);
    }
  }
  if (options.json) ctx.output.out(json(done));
  else if (done.length) ctx.output.out(simulatorTable(done));
  if (failures.length === 1 && ids.length === 1) throw failures[0];
  if (failures.length) throw new CliError(`${failures.length} of ${ids.length} simulators failed`, exitCodeOf(failures[0]));
}

function controlCommand(name: string, description: string): Command {
  return new Command(name)
    .description(description)
    .option('--all', 'every running simulator')
    .option(...JSON_OPTION);
}

export function simsCommand(ctx: CliContext): Command {
  const sims = new Command('sims').description('list and control the running simulators (admins)');

  sims
    .command('list')
    .description('the simulator instances that answer now')
    .option(...JSON_OPTION)
    .action(async (options: { json?: boolean }, command: Command) => {
      const { client } = connection(ctx, command);
      const { simulators } = await client.request(SimulatorsDocument);
      if (options.json) return ctx.output.out(json(simulators));
      if (simulators.length) ctx.output.out(simulatorTable(simulators));
      else ctx.output.note('no simulator is running');
    });

  sims.addCommand(
    controlCommand('start', 'start measuring')
      .argument('[ids...]', 'simulator ids')
      .action(async (ids: string[], options: TargetOptions, command: Command) => {
        const { client } = connection(ctx, command);
        const targets = await targetIds(client, ids, options, 'start');
        await eachSimulator(ctx, targets, options, async (id) => (await client.request(StartSimulatorDocument, { id })).startSimulator);
      }),
  );

  sims.addCommand(
    controlCommand('stop', 'stop measuring (readings already taken are still published)')
      .argument('[ids...]', 'simulator ids')
      .action(async (ids: string[], options: TargetOptions, command: Command) => {
        const { client } = connection(ctx, command);
        const targets = await targetIds(client, ids, options, 'stop');
        await eachSimulator(ctx, targets, options, async (id) => (await client.request(StopSimulatorDocument, { id })).stopSimulator);
      }),
  );

  sims.addCommand(
    controlCommand('interval', "set the seconds between two readings of each device (5–86400), from the simulator's next tick")
      .argument('<seconds>', 'seconds between readings', integer(1))
      .argument('[ids...]', 'simulator ids')
      .addHelpText('after', '\nExamples:\n  sensorctl sims interval 10 sim-humidity-79eb9328\n  sensorctl sims interval 30 --all')
      .action(async (seconds: number, ids: string[], options: TargetOptions, command: Command) => {
        const { client } = connection(ctx, command);
        const targets = await targetIds(client, ids, options, 'set the interval of');
        await eachSimulator(ctx, targets, options, async (id) => (await client.request(SetSimulatorIntervalDocument, { id, seconds })).setSimulatorInterval);
      }),
  );

  return sims;
}
