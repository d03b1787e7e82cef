/**
 * The dashboard's one connection to the API: an SDK Session (tokens refreshed quietly
 * before they expire) whose tokens live in sessionStorage, so a reload keeps the login
 * while each tab has its own refresh token (a refresh token works once; tabs sharing one
 * would end each other's session).
 */
import { SdkError, Session, type LiveOptions, type Tokens } from '../../sdk/index.ts';

const STORAGE_KEY = 'sensor-dashboard.tokens';
export const GRAPHQL_URL = new URL('/graphql', location.href).toString();

function storedTokens(): Tokens | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

type Listener = (loggedIn: boolean) => void;
const listeners = new Set<Listener>();

export const session = new Session({
  url: GRAPHQL_URL,
  onTokens: (tokens) => {
    if (tokens) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    else sessionStorage.removeItem(STORAGE_KEY);
    for (const listener of listeners) listener(tokens !== null);
  },
});

const resumed = storedTokens();
if (resumed) session.resume(resumed);

export function onLoginChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** For live feeds: the socket asks for a fresh access token at every (re)connect. */
export const liveOptions: LiveOptions = { url: GRAPHQL_URL, credential: () => session.accessToken() };

/** The message to show for a failed call: the server's own words for expected errors. */
export function errorMessage(error: unknown): string {
  if (error instanceof SdkError) return error.code === 'INTERNAL_SERVER_ERROR' ? 'The server failed; try again.' : error.message;
  if (error instanceof TypeError) return 'The API cannot be reached.';
  return error instanceof Error ? error.message : String(error);
}

/** Field-level problems: BAD_USER_INPUT names its field in `extensions.field`. */
export interface FieldError {
  field: string | null;
  message: string;
}

export function fieldError(error: unknown): FieldError {
  if (error instanceof SdkError && error.code === 'BAD_USER_INPUT') return { field: error.field ?? null, message: error.message };
  return { field: null, message: errorMessage(error) };
}

/** A session that can no longer be refreshed ends here: back to the login page. */
export function isLoggedOutError(error: unknown): boolean {
  return error instanceof SdkError && error.code === 'UNAUTHENTICATED';
}
