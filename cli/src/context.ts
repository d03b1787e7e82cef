/** What every command gets: where to print, the environment, and its connection to the API. */
import type { Command } from 'commander';
import { connect, connectionContext, type Connection, type ConnectionContext } from './connection.ts';
import type { Output } from './output.ts';

export interface CliContext {
  output: Output;
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Set once the server is known, so that an error message can name it. */
  server: string | null;
}

/** The server and config store a command's --url (or the environment, or the config) names. */
export function target(ctx: CliContext, command: Command): ConnectionContext {
  const resolved = connectionContext(command.optsWithGlobals<{ url?: string }>().url, ctx.env);
  ctx.server = resolved.server;
  return resolved;
}

/** The logged-in connection a command uses; fails with exit code 3 when there is no login. */
export function connection(ctx: CliContext, command: Command): Connection {
  return connect(target(ctx, command));
}
