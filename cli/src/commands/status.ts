/** `sensorctl status`: the stream head, how far the projector is, dead letters. */
import { Command } from 'commander';
import { SystemStatusDocument } from '../../../sdk/index.ts';
import { connection, type CliContext } from '../context.ts';
import { JSON_OPTION } from '../options.ts';
import { json, orDash } from '../output.ts';

export function statusCommand(ctx: CliContext): Command {
  return new Command('status')
    .description('the stream head, the projector position and lag, and dead letters')
    .option(...JSON_OPTION)
    .action(async (options: { json?: boolean }, command: Command) => {
      const { client, server } = connection(ctx, command);
      const { systemStatus: s } = await client.request(SystemStatusDocument);
      if (options.json) return ctx.output.out(json({ server, ...s }));
      ctx.output.out(
        [
          `server              ${server}`,
          `stream              ${s.streamName}, head ${s.streamHead}`,
          `projector           at ${s.projectorPosition} (lag ${s.lag}), last event ${orDash(s.projectorLastEventAt)}`,
          `dead letters        ${s.deadLetters}`,
        ].join('\n'),
      );
    });
}
