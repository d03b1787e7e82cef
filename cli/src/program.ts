/** The `sensorctl` command tree, and running it to an exit code. */
import { Command, CommanderError } from 'commander';
import { authCommands } from './commands/auth.ts';
import { devicesCommand } from './commands/devices.ts';
import { eventsCommand } from './commands/events.ts';
import { readingsCommand } from './commands/readings.ts';
import { simsCommand } from './commands/sims.ts';
import { statusCommand } from './commands/status.ts';
import { tailCommand } from './commands/tail.ts';
import { DEFAULT_URL } from './connection.ts';
import type { CliContext } from './context.ts';
import { describeError, EXIT, EXIT_CODES_HELP, exitCodeOf, type ExitCode } from './errors.ts';

function buildProgram(ctx: CliContext): Command {
  const program = new Command('sensorctl')
    .description('Command-line client for the sensor platform: readings, devices, simulators, live feed.')
    .option('--url <url>', `the API server (env SENSORCTL_URL; default: the server you last logged in to, else ${DEFAULT_URL})`)
    .showSuggestionAfterError()
    .addHelpText(
      'after',
      `
Start with \`sensorctl login\`; \`sensorctl <command> --help\` tells more about each command.

${EXIT_CODES_HELP}

Errors go to stderr as \`sensorctl: <message>\`; tables and JSON go to stdout.`,
    );
  for (const command of [...authCommands(ctx), readingsCommand(ctx), devicesCommand(ctx), simsCommand(ctx), tailCommand(ctx), eventsCommand(ctx), statusCommand(ctx)]) {
    program.addCommand(command);
  }
  // Every (sub)command: usage errors become exit code 2 instead of commander's exit.
  const configure = (command: Command) => {
    command.exitOverride().configureOutput({ outputError: (text, write) => write(`sensorctl: ${text.replace(/^error: /, '')}`) });
    command.commands.forEach(configure);
  };
  configure(program);
  return program;
}

export async function run(argv: string[], ctx: CliContext): Promise<ExitCode> {
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      return error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    process.stderr.write(`sensorctl: ${describeError(error, ctx.server)}\n`);
    return exitCodeOf(error);
  }
}
