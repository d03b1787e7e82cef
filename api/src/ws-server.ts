/**
 * graphql-ws on the same HTTP server and path as /graphql, running every operation
 * through yoga's envelop (the same limits, masking and context as HTTP). The token comes
 * in `connection_init` as {"authorization": "Bearer …"}: a missing or bad one closes the
 * socket with 4403; no `connection_init` in time closes it with 4408 (graphql-ws' default),
 * a malformed protocol message with 4400, a message over WS_LIMITS.maxPayloadBytes with 1009.
 * Before the upgrade: a browser Origin the CORS policy does not allow gets 403, and a client
 * address already holding its share of live connections (WebSockets and SSE streams, see
 * http-guards.ts) gets 429.
 */
import type { IncomingMessage, Server } from 'node:http';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError, type DocumentNode, type ExecutionArgs } from 'graphql';
import { WebSocketServer } from 'ws';
import type { Logger } from '../../schema/src/log.ts';
import type { Services } from './context.ts';
import { addressOf, type LiveConnections } from './http-guards.ts';
import type { createGraphQLServer, WsInitialContext } from './graphql-server.ts';
import { REQUEST_ID_HEADER, requestIdOf } from './http-ops.ts';
import { apiMetrics } from './metrics.ts';

type Yoga = ReturnType<typeof createGraphQLServer>;
type Enveloped = ReturnType<Yoga['getEnveloped']>;

export const WS_LIMITS = { maxPayloadBytes: 64 * 1024, connectionInitWaitTimeoutMs: 3000 };

export interface WebSocketGuards {
  allowsOrigin(origin: string | undefined, host: string | undefined): boolean;
  liveConnections: LiveConnections;
}

export function attachWebSocketServer(server: Server, yoga: Yoga, services: Services, logger: Logger, guards: WebSocketGuards) {
  const wss = new WebSocketServer({
    server,
    path: '/graphql',
    maxPayload: WS_LIMITS.maxPayloadBytes,
    // The callback form lets the refusal carry a status; called at once, the upgrade stays synchronous,
    // so the count below is up to date for the next upgrade.
    verifyClient: ({ req }, verified) => {
      if (!guards.allowsOrigin(req.headers.origin, req.headers.host)) return verified(false, 403, 'origin not allowed');
      if (!guards.liveConnections.admits(addressOf(req))) return verified(false, 429, 'too many live connections (WebSocket and SSE) from this address');
      verified(true);
    },
  });
  // Each connection gets a request id (the upgrade's sane x-request-id, or a fresh one), sent back in
  // the 101 answer; each operation on it is `<connection id>.<n>`, written on its log lines.
  const connections = new WeakMap<IncomingMessage, { requestId: string; operations: number }>();
  const connectionOf = (request: IncomingMessage) => {
    let connection = connections.get(request);
    if (!connection) connections.set(request, (connection = { requestId: requestIdOf(request.headers[REQUEST_ID_HEADER]), operations: 0 }));
    return connection;
  };
  wss.on('headers', (headers, request) => headers.push(`${REQUEST_ID_HEADER}: ${connectionOf(request).requestId}`));
  wss.on('connection', (socket, request) => {
    const { requestId } = connectionOf(request);
    apiMetrics.websocketConnections.inc();
    logger.info({ requestId, address: addressOf(request) }, 'websocket connected');
    socket.once('close', (code: number) => {
      apiMetrics.websocketConnections.dec();
      logger.info({ requestId, code }, 'websocket closed');
    });
  });
  wss.on('connection', (socket, request) => guards.liveConnections.hold(addressOf(request), socket));
  const disposable = useServer<Record<string, unknown>, { authorization: string | null; address: string }>(
    {
      connectionInitWaitTimeout: WS_LIMITS.connectionInitWaitTimeoutMs,
      execute: (args) => (args.rootValue as { execute: Enveloped['execute'] }).execute(args as ExecutionArgs),
      subscribe: (args) => (args.rootValue as { subscribe: Enveloped['subscribe'] }).subscribe(args as ExecutionArgs),
      onConnect: async (ctx) => {
        const raw = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        const authorization = typeof raw === 'string' ? raw : null;
        try {
          if (!(await services.auth.authenticate(authorization))) return false;
        } catch {
          return false;
        }
        ctx.extra.authorization = authorization;
        ctx.extra.address = ctx.extra.request.socket.remoteAddress ?? 'unknown';
        return true;
      },
      onSubscribe: async (ctx, _id, params) => {
        const connection = connectionOf(ctx.extra.request);
        connection.operations += 1;
        const initial: WsInitialContext = {
          connectionAuthorization: ctx.extra.authorization ?? null,
          address: ctx.extra.address ?? 'unknown',
          requestId: `${connection.requestId}.${connection.operations}`,
        };
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({ ...initial, params });
        // A syntax error, or a limit (tokens, depth, aliases…) refusing the document, is thrown: answer it
        // as this operation's error, as HTTP does, rather than let graphql-ws close the socket with 4500.
        let document: DocumentNode;
        try {
          document = parse(params.query);
          const errors = validate(schema, document);
          if (errors.length) return errors;
        } catch (error) {
          if (error instanceof GraphQLError) return [error];
          throw error;
        }
        return {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
    },
    wss,
  );
  wss.on('error', (error) => logger.warn({ err: error }, 'WebSocket server error'));
  // A socket's error is the client's doing (a message over maxPayload, bad framing; ws has already
  // closed the socket with the code). graphql-ws prints each one with its stack to stderr, which any
  // client could flood: one log line instead. Registered after useServer, so its listener is there to replace.
  wss.on('connection', (socket, request) => {
    socket.removeAllListeners('error');
    socket.on('error', (error) => logger.info({ requestId: connectionOf(request).requestId, reason: error.message }, 'websocket client error'));
  });
  return {
    wss,
    async close(): Promise<void> {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
