/**
 * Live feeds over graphql-ws, with resumption: the feed remembers the last stream
 * sequence it delivered and, after any disconnect or server-ended subscription,
 * subscribes again with `afterSequence` — the server replays what was missed, so the
 * caller sees every reading exactly once, in order.
 */
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient as createWsClient, type Client, type EventConnectedListener } from 'graphql-ws';
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
    client = liveClient(options);
    const current = client;
    unsubscribe = current.subscribe<ReadingRecordedSubscription>(
      { query: print(ReadingRecordedDocument), variables: { filter: request.filter, afterSequence: lastSequence } },
      {
        next: (result) => {
          const reading = result.data?.readingRecorded;
          if (!reading) return handlers.onInterrupted?.(result.errors);
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

  const reconnect = (failed: Client, reason: unknown) => {
    void failed.dispose();
    if (stopped) return;
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
