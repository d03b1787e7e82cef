/**
 * Exit codes scripts can trust, and the one place where failures become them: every
 * command throws (a CliError, an SdkError from the server, a network error) and `main`
 * prints `sensorctl: <message>` on stderr and exits with the code `exitCodeOf` gives.
 */
import { SdkError } from '../../sdk/index.ts';

export const EXIT = {
  ok: 0,
  /** The server failed, could not be reached, or something unexpected happened: retrying may help. */
  error: 1,
  /** Bad command line, or input the server refused (BAD_USER_INPUT): fix the command. */
  usage: 2,
  /** Not logged in, or the credentials were refused or have expired: run `sensorctl login`. */
  auth: 3,
  /** Logged in, but your role may not do this (FORBIDDEN). */
  forbidden: 4,
  /** No such simulator, device or reading (NOT_FOUND). */
  notFound: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  server or network error, or anything unexpected (retrying may help)
  2  usage error: bad arguments, or input the server refused
  3  not logged in, or the login or API key was refused or has expired
  4  permission denied: your role may not do this
  5  not found: no such simulator, device or reading`;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export const usageError = (message: string) => new CliError(message, EXIT.usage);

const CODE_EXITS: Record<string, ExitCode> = {
  BAD_USER_INPUT: EXIT.usage,
  GRAPHQL_VALIDATION_FAILED: EXIT.usage,
  BAD_REQUEST: EXIT.usage,
  UNAUTHENTICATED: EXIT.auth,
  FORBIDDEN: EXIT.forbidden,
  NOT_FOUND: EXIT.notFound,
};

export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof SdkError) return CODE_EXITS[error.code] ?? EXIT.error;
  return EXIT.error;
}

/** What to print for a failure: the server's message, with a hint where one helps. */
export function describeError(error: unknown, serverUrl: string | null): string {
  if (error instanceof CliError) return error.message;
  if (error instanceof SdkError) {
    if (error.code === 'UNAUTHENTICATED') return `${error.message} (run \`sensorctl login\`${serverUrl ? ` for ${serverUrl}` : ''})`;
    if (error.code === 'BAD_RESPONSE') return `${error.message}: is ${serverUrl ?? 'the URL'} a sensor platform API? (--url, SENSORCTL_URL)`;
    return error.message;
  }
  if (error instanceof TypeError && error.message === 'fetch failed') {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return `cannot reach the API at ${serverUrl ?? 'the server'}: ${cause?.code ?? cause?.message ?? 'network error'} (--url, SENSORCTL_URL)`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
