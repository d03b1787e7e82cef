/** `sensorctl login`, `logout`, `whoami`. */
import { Command } from 'commander';
import { createClient, MeDocument, SdkError, Session } from '../../../sdk/index.ts';
import type { StoredLogin } from '../config.ts';
import { endpointOf, storedSession } from '../connection.ts';
import { connection, target, type CliContext } from '../context.ts';
import { CliError, EXIT, usageError } from '../errors.ts';
import { JSON_OPTION } from '../options.ts';
import { json } from '../output.ts';
import { ask, askHidden, readFirstLine } from '../prompt.ts';

interface LoginOptions {
  username?: string;
  passwordStdin?: boolean;
  apiKey?: string;
  apiKeyStdin?: boolean;
}

async function loginWithApiKey(server: string, apiKey: string): Promise<{ login: StoredLogin; who: string }> {
  const client = createClient({ url: endpointOf(server), credential: () => apiKey });
  const { me } = await client.request(MeDocument);
  if (!me) throw new CliError('the server does not accept this API key', EXIT.auth);
  // `me` is the key's owner; the key may have a lesser role, which the API does not tell.
  return { login: { kind: 'apiKey', apiKey }, who: `${me.username} (API key)` };
}

async function loginWithPassword(ctx: CliContext, server: string, options: LoginOptions): Promise<{ login: StoredLogin; who: string }> {
  const interactive = Boolean(ctx.stdin.isTTY);
  if (!options.passwordStdin && !interactive) throw usageError('no terminal to ask for the password: pass it on stdin with --password-stdin (and the user with --username)');
  const username = options.username ?? (interactive ? await ask(ctx.stdin, 'Username: ') : undefined);
  if (!username) throw usageError('a username is required (--username)');
  const password = options.passwordStdin ? await readFirstLine(ctx.stdin, 'the password') : await askHidden(ctx.stdin, 'Password: ');
  const session = new Session({ url: endpointOf(server) });
  const user = await session.login(username, password).catch((error: unknown) => {
    throw error instanceof SdkError && error.code === 'UNAUTHENTICATED' ? new CliError(error.message, EXIT.auth) : error;
  });
  const tokens = session.current!;
  return {
    login: { kind: 'session', username: user.username, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt },
    who: `${user.username} (${user.role})`,
  };
}

export function authCommands(ctx: CliContext): Command[] {
  const login = new Command('login')
    .description('log in to the API and keep the login in your config directory (readable by you only)')
    .option('-u, --username <name>', 'the account (asked for when left out)')
    .option('--password-stdin', 'read the password from the first line of stdin (for scripts)')
    .option('--api-key <key>', 'log in with an API key (sk_…) instead; prefer --api-key-stdin, argv is visible to other users')
    .option('--api-key-stdin', 'read the API key from the first line of stdin')
    .addHelpText(
      'after',
      `
The password is asked for at the terminal, or read from stdin with --password-stdin; it is
never taken from the command line. The login is stored per server in
$SENSORCTL_CONFIG_DIR, else $XDG_CONFIG_HOME/sensorctl, else ~/.config/sensorctl
(config.json, mode 0600); later commands refresh its token quietly.
SENSORCTL_API_KEY, when set, is used instead of any stored login.

Examples:
  sensorctl login --url http://localhost:4000 --username admin
  printf '%s\\n' "$PASSWORD" | sensorctl login --username admin --password-stdin
  printf '%s\\n' "$API_KEY" | sensorctl login --api-key-stdin`,
    )
    .action(async (options: LoginOptions, command: Command) => {
      const { store, server } = target(ctx, command);
      if (options.apiKey && options.apiKeyStdin) throw usageError('--api-key and --api-key-stdin do not go together');
      const apiKey = options.apiKeyStdin ? await readFirstLine(ctx.stdin, 'the API key') : options.apiKey;
      if (apiKey !== undefined && (options.username || options.passwordStdin)) throw usageError('an API key login takes no --username or --password-stdin');
      const { login, who } = apiKey !== undefined ? await loginWithApiKey(server, apiKey) : await loginWithPassword(ctx, server, options);
      // The login this one replaces ends on the server too, where it was a session.
      const previous = store.login(server);
      if (previous?.kind === 'session') await storedSession(store, server, previous).logout();
      store.saveLogin(server, login);
      ctx.output.note(`logged in to ${server} as ${who}`);
    });

  const logout = new Command('logout')
    .description('end the stored login for the server (the refresh token is revoked) and forget it')
    .action(async (_options: unknown, command: Command) => {
      const { store, server } = target(ctx, command);
      const login = store.login(server);
      if (!login) {
        ctx.output.note(`not logged in to ${server}`);
        return;
      }
      if (login.kind === 'session') await storedSession(store, server, login).logout();
      store.removeLogin(server);
      ctx.output.note(
        login.kind === 'session' ? `logged out of ${server}` : `forgot the API key for ${server} (the key itself stays valid until revoked)`,
      );
    });

  const whoami = new Command('whoami')
    .description('show who you are logged in as, and where')
    .option(...JSON_OPTION)
    .action(async (options: { json?: boolean }, command: Command) => {
      const { client, server, username } = connection(ctx, command);
      const { me } = await client.request(MeDocument);
      if (!me) throw new CliError(`not logged in to ${server}`, EXIT.auth);
      // An API key may have a lesser role than its owner, which `me` does not tell.
      const apiKey = username === null;
      if (options.json) ctx.output.out(json({ server, ...me, ...(apiKey ? { role: null, apiKey: true } : {}) }));
      else ctx.output.out(`${me.username} (${apiKey ? 'API key' : me.role}) at ${server}`);
    });

  return [login, logout, whoami];
}
