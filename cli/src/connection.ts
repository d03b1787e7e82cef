/**
 * Which server a command talks to and with what credential: --url, else SENSORCTL_URL,
 * else the server of the last login, else http://localhost:4000; the API key in
 * SENSORCTL_API_KEY, else the login stored for that server. Session logins refresh
 * quietly through the SDK's Session, coordinated with other invocations by the config lock.
 */
import { createClient, Session, type SensorClient, type Tokens } from '../../sdk/index.ts';
import { ConfigStore, configDir } from './config.ts';
import { CliError, EXIT, usageError } from './errors.ts';

export const DEFAULT_URL = 'http://localhost:4000';

/** `http://host:4000`, `http://host:4000/` and `http://host:4000/graphql` all name the server `http://host:4000`. */
export function normalizeServerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`--url must be an http(s) URL such as ${DEFAULT_URL}, not "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`--url must be an http(s) URL such as ${DEFAULT_URL}, not "${raw}"`);
  const path = url.pathname.replace(/\/+$/, '').replace(/\/graphql$/, '');
  return `${url.origin}${path}`;
}

export interface Connection {
  /** The server, as stored in the config (`http://host:port`). */
  server: string;
  /** Its GraphQL endpoint. */
  endpoint: string;
  client: SensorClient;
  /** A current bearer credential, refreshed if need be: for live feeds. */
  credential(): Promise<string | null>;
  /** The stored login's username, when it is a session login. */
  username: string | null;
}

export interface ConnectionContext {
  store: ConfigStore;
  server: string;
  env: NodeJS.ProcessEnv;
}

export function connectionContext(urlOption: string | undefined, env: NodeJS.ProcessEnv = process.env): ConnectionContext {
  const store = new ConfigStore(configDir(env));
  const raw = urlOption ?? env.SENSORCTL_URL ?? store.read().current ?? DEFAULT_URL;
  return { store, server: normalizeServerUrl(raw), env };
}

export const endpointOf = (server: string) => `${server}/graphql`;

/**
 * A session whose new tokens are stored, and whose refreshes wait for other invocations'
 * refreshes. The tokens it resumes with are not written back: another invocation may
 * have stored newer ones since they were read.
 */
export function storedSession(store: ConfigStore, server: string, resumed?: Tokens): Session {
  const session = new Session({
    url: endpointOf(server),
    onTokens: (tokens) => tokens && tokens !== resumed && store.saveTokens(server, tokens),
    shared: {
      exclusive: (task) => store.exclusive(task),
      read: () => {
        const login = store.login(server);
        return login?.kind === 'session' ? login : null;
      },
    },
  });
  if (resumed) session.resume(resumed);
  return session;
}

export function connect({ store, server, env }: ConnectionContext): Connection {
  const endpoint = endpointOf(server);
  const apiKey = env.SENSORCTL_API_KEY || null;
  const login = apiKey ? null : store.login(server);
  if (apiKey || login?.kind === 'apiKey') {
    const key = apiKey ?? (login as { apiKey: string }).apiKey;
    return { server, endpoint, client: createClient({ url: endpoint, credential: () => key }), credential: async () => key, username: null };
  }
  if (!login) throw new CliError(`not logged in to ${server}: run \`sensorctl login${server === DEFAULT_URL ? '' : ` --url ${server}`}\` (or set SENSORCTL_API_KEY)`, EXIT.auth);
  const session = storedSession(store, server, login);
  return { server, endpoint, client: session, credential: () => session.accessToken(), username: login.username };
}
