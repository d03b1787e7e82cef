/**
 * `sensorctl tail`: readings as they are recorded, one line each (or NDJSON), through the
 * SDK's resuming feed: after a dropped connection or a restarted API it carries on from
 * the last sequence it printed, with no gap and no duplicate.
 */
import { Command } from 'commander';
import WebSocket from 'ws';
import { followReadings, MeDocument, type LiveReading, type SdkError } from '../../../sdk/index.ts';
import { connection, type CliContext } from '../context.ts';
import { integer, addFilterOptions, readingFilter, type FilterOptions } from '../options.ts';
import { deviceName } from '../output.ts';

interface TailOptions extends FilterOptions {
  after?: string;
  count?: number;
  json?: boolean;
}

const line = (r: LiveReading) => `${r.timestamp}  ${r.sequence.padStart(8)}  ${r.sensorType.padEnd(11)}  ${deviceName(r).padEnd(8)}  ${r.value}`;

function describeInterruption(reason: unknown): string {
  if (Array.isArray(reason)) return reason.map((e: { message?: string }) => e?.message ?? String(e)).join('; ');
  if (reason instanceof Error) return reason.message;
  const close = reason as { code?: number; reason?: string } | null;
  if (close && typeof close.code === 'number') return `connection closed (${close.code}${close.reason ? ` ${close.reason}` : ''})`;
  return String(reason);
}

async function tail(ctx: CliContext, command: Command, options: TailOptions): Promise<void> {
  const conn = connection(ctx, command);
  // Fail now, with the right exit code, if the server is unreachable or refuses the login;
  // once the feed runs, interruptions are waited out.
  await conn.client.request(MeDocument);
  let printed = 0;
  let lastPrinted = options.after ?? null;
  let interrupted = false;
  await new Promise<void>((resolve, reject) => {
    let finished = false;
    const finish = (error?: SdkError) => {
      if (finished) return;
      finished = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      void feed.stop().then(() => (error ? reject(error) : resolve()));
    };
    const onSignal = () => {
      ctx.output.note(lastPrinted ? `stopped; resume with --after ${lastPrinted}` : 'stopped');
      finish();
    };
    const feed = followReadings(
      { url: conn.endpoint, credential: conn.credential, webSocketImpl: WebSocket },
      { filter: readingFilter(options), afterSequence: options.after ?? null },
      {
        onReading: (reading) => {
          if (finished) return;
          ctx.output.out(options.json ? JSON.stringify(reading) : line(reading));
          lastPrinted = reading.sequence;
          if (options.count !== undefined && ++printed >= options.count) finish();
        },
        onConnected: () => {
          if (interrupted) ctx.output.note(`live feed resumed${lastPrinted ? ` after ${lastPrinted}` : ''}`);
          interrupted = false;
        },
        onInterrupted: (reason) => {
          if (!interrupted) ctx.output.note(`live feed interrupted: ${describeInterruption(reason)}; reconnecting…`);
          interrupted = true;
        },
        onFailed: (error) => finish(error),
      },
    );
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export function tailCommand(ctx: CliContext): Command {
  return addFilterOptions(new Command('tail').description('follow readings as they are recorded, resuming by itself after a disconnect'))
    .option('--after <sequence>', 'first replay every matching reading recorded after this stream sequence, then follow')
    .option('-c, --count <n>', 'stop after this many readings', integer(1))
    .option('--json', 'one JSON object per line (NDJSON)')
    .addHelpText(
      'after',
      `
Each line: timestamp, stream sequence, sensor type, device, value. Notes about lost and
resumed connections go to stderr. Ctrl-C stops (exit code 0) and prints the sequence to
pass as --after to carry on later.

Examples:
  sensorctl tail --sensor-type humidity
  sensorctl tail --device A-7 --json | jq .value
  sensorctl tail --after 1042 --count 100`,
    )
    .action((options: TailOptions, command: Command) => tail(ctx, command, options));
}
