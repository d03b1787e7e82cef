/**
 * Live feeds over graphql-ws, with resumption: the feed remembers the last stream
 * sequence it delivered and, after any disconnect or server-ended subscription,
 * subscribes again with `afterSequence` — the server replays what was missed, so the
 * caller sees every reading exactly once, in order.
 */
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient as createWsClient, type Client, type EventConnectedListener } from 'graphql-ws';
import { SdkError, type GraphQLErrorShape } from './client.ts';
import { ReadingRecordedDocument } from './operations/live.ts';
import type { ReadingFilter, ReadingRecordedSubscription } from '../gql/graphql.ts';

export type LiveReading = ReadingRecordedSubscription['readingRecorded'];

export interface LiveOptions {
  /** The GraphQL endpoint (http:// or ws://); graphql-ws is served on the same path. */
  url: string;
  /** The bearer credential, read at every (re)connect, so a refreshed token is used. */
  credential: () => string | null | undefined | Promise<string | null | undefined>;
  /** A WebSocket implementation where there is no global one (Node 20: the `ws` package). */
  webSocketImpl?: unknown;
  /** Pause between reconnection attempts, doubled up to 30 s. */
  retryDelayMs?: number;
}

export interface ReadingFeed {
  /** The last sequence delivered: pass it as `afterSequence` to resume elsewhere. */
  readonly lastSequence: string | null;
  stop(): Promise<void>;
}

export interface ReadingFeedHandlers {
  onReading: (reading: LiveReading) => void;
  /** Told about each interruption (the feed carries on by itself). */
  onInterrupted?: (reason: unknown) => void;
  /** Told each time the server accepts the connection: at the start and after every resumption. */
  onConnected?: () => void;
  /**
   * When given, a refusal that reconnecting cannot cure (see `permanentFailure`) stops the
   * feed and is reported here; without it the feed keeps retrying whatever happens.
   */
  onFailed?: (error: SdkError) => void;
}

const CLOSE_CODES: Record<number, string> = { 4400: 'BAD_REQUEST', 4401: 'UNAUTHENTICATED', 4403: 'UNAUTHENTICATED' };
const PERMANENT_CODES = new Set(['BAD_USER_INPUT', 'FORBIDDEN', 'UNAUTHENTICATED', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED']);

/**
 * The refusal in a feed interruption that reconnecting will not cure, as an SdkError: the
 * server closed the socket for bad credentials (4401/4403) or a bad request (4400), or
 * answered with bad input, no permission or credentials it does not accept. An expired
 * access token is not one (reconnect with a fresh one), nor is a dropped connection.
 */
export function permanentFailure(reason: unknown): SdkError | null {
  if (Array.isArray(reason)) {
    const errors = reason as GraphQLErrorShape[];
    const refusal = errors.find((e) => PERMANENT_CODES.has(String(e?.extensions?.code)) && !/expired/.test(e.message));
    return refusal ? new SdkError([refusal], 400) : null;
  }
  const close = reason as { code?: unknown; reason?: unknown } | null;
  const code = typeof close?.code === 'number' ? CLOSE_CODES[close.code] : undefined;
  if (!code) return null;
  const message = code === 'UNAUTHENTICATED' ? 'the server refused the credentials for the live feed' : `the server refused the live feed: ${String(close?.reason || 'bad request')}`;
  return new SdkError([{ message, extensions: { code } }], 400);
}

export function liveClient(options: LiveOptions, on?: { connected?: EventConnectedListener }): Client {
  return createWsClient({
    on,
    url: options.url.replace(/^http/, 'ws'),
    webSocketImpl: options.webSocketImpl,
    lazy: true,
    retryAttempts: 0,
    connectionParams: async () => {
      const credential = await options.credential();
      return credential ? { authorization: `Bearer ${credential}` } : {};
    },
  });
}

export function followReadings(options: LiveOptions, request: { filter?: ReadingFilter; afterSequence?: string | null }, handlers: ReadingFeedHandlers): ReadingFeed {
  let lastSequence = request.afterSequence ?? null;
  let stopped = false;
  let client: Client | null = null;
  let unsubscribe: () => void = () => undefined;
  let delay = options.retryDelayMs ?? 500;

  const connect = () => {
    if (stopped) return;
    client = liveClient(options, { connected: () => handlers.onConnected?.() });
    const current = client;
    unsubscribe = current.subscribe<ReadingRecordedSubscription>(
      { query: print(ReadingRecordedDocument), variables: { filter: request.filter, afterSequence: lastSequence } },
      {
        next: (result) => {
          const reading = result.data?.readingRecorded;
          if (!reading) return interrupted(current, result.errors);
          // Never hand out a sequence twice, even if a replay overlaps.
          if (lastSequence !== null && BigInt(reading.sequence) <= BigInt(lastSequence)) return;
          lastSequence = reading.sequence;
          delay = options.retryDelayMs ?? 500;
          handlers.onReading(reading);
        },
        error: (error) => reconnect(current, error),
        complete: () => reconnect(current, new Error('the server ended the subscription')),
      },
    );
  };

  // A result with errors is followed by `complete`, which reconnects unless this stopped the feed.
  const interrupted = (current: Client, errors: unknown) => {
    const failure = handlers.onFailed ? permanentFailure(errors) : null;
    if (!failure) return handlers.onInterrupted?.(errors);
    stopped = true;
    void current.dispose();
    handlers.onFailed!(failure);
  };

  const reconnect = (failed: Client, reason: unknown) => {
    void failed.dispose();
    if (stopped) return;
    const failure = handlers.onFailed ? permanentFailure(reason) : null;
    if (failure) {
      stopped = true;
      return handlers.onFailed!(failure);
    }
    handlers.onInterrupted?.(reason);
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30_000);
  };

  connect();
  return {
    get lastSequence() {
      return lastSequence;
    },
    async stop() {
      stopped = true;
      unsubscribe();
      await client?.dispose();
    },
  };
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface SubscriptionHandlers<TResult> {
  onData: (data: TResult) => void;
  /** Told at every (re)connection: what happened while disconnected is not replayed, so reload state here. */
  onConnected?: () => void;
  onInterrupted?: (reason: unknown) => void;
}

/**
 * Any typed subscription, kept open: after a disconnect, an error or a server-ended
 * subscription it subscribes again (pausing as `followReadings` does). Unlike
 * `followReadings` nothing is replayed, so `onConnected` is the moment to reload state.
 */
export function followSubscription<TResult, TVariables extends Record<string, unknown>>(
  options: LiveOptions,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  handlers: SubscriptionHandlers<TResult>,
): Subscription {
  let stopped = false;
  let client: Client | null = null;
  let unsubscribe: () => void = () => undefined;
  let delay = options.retryDelayMs ?? 500;
  const query = print(document);

  const connect = () => {
    if (stopped) return;
    const current = liveClient(options, {
      connected: () => {
        delay = options.retryDelayMs ?? 500;
        handlers.onConnected?.();
      },
    });
    client = current;
    unsubscribe = current.subscribe<TResult>(
      { query, variables },
      {
        next: (result) => (result.data ? handlers.onData(result.data) : handlers.onInterrupted?.(result.errors)),
        error: (error) => reconnect(current, error),
        complete: () => reconnect(current, new Error('the server ended the subscription')),
      },
    );
  };

  const reconnect = (failed: Client, reason: unknown) => {
    void failed.dispose();
    if (stopped) return;
    handlers.onInterrupted?.(reason);
    setTimeout(connect, delay);
    delay = Math.min(delay * 2, 30_000);
  };

  connect();
  return {
    async stop() {
      stopped = true;
      unsubscribe();
      await client?.dispose();
    },
  };
}
