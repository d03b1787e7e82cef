/**
 * graphql-yoga with the limits every transport shares (HTTP now; graphql-ws and SSE
 * run through the same envelop plugins): depth, aliases, tokens, cost, directives,
 * batching; introspection, GraphiQL and field suggestions switchable for production;
 * unexpected errors masked and logged.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import { createYoga, type Plugin } from 'graphql-yoga';
import type { Logger } from '../../schema/src/log.ts';
import type { Context, Services } from './context.ts';
import { CoreError } from './core/errors.ts';
import { useVariableCostLimit } from './graphql-cost.ts';
import { clientError, locatedAt } from './graphql-errors.ts';
import { useOperationMetrics } from './graphql-metrics.ts';
import { requestIdFor } from './http-ops.ts';
import { apiMetrics } from './metrics.ts';
import { schema } from './schema/index.ts';

export interface GraphQLServerOptions {
  graphiql: boolean;
  introspection: boolean;
  /** "Did you mean …?" hints in validation errors; they reveal the schema even without introspection. */
  fieldSuggestions: boolean;
}

/** What the graphql-ws server hands to yoga's context factory for each operation. */
export interface WsInitialContext {
  connectionAuthorization: string | null;
  address: string;
  /** This operation's request id (the connection's id and a per-connection operation number). */
  requestId: string;
}

// cost: one page of the largest size (1,000 readings, every field, cursors, pageInfo, totalCount: 75,875)
// fits; a second such page in the same request does not.
export const LIMITS = { depth: 10, aliases: 15, tokens: 2000, cost: 100_000, directives: 20, batch: 10 };

/** A validation rule, added to every operation (used to switch introspection off). */
function useValidationRule(rule: typeof NoSchemaIntrospectionCustomRule): Plugin {
  return { onValidate: ({ addValidationRule }) => addValidationRule(rule) };
}

/**
 * What a client sees for an error, and — when it is unexpected (masked as INTERNAL_SERVER_ERROR) —
 * the cause to log. Coded errors and parse/validation errors pass; variables that failed to coerce
 * before execution are the client's (BAD_USER_INPUT).
 */
export function classifyError(error: unknown, message: string): { client: Error; cause: unknown } {
  const original = error instanceof GraphQLError ? error.originalError : error;
  const coded = clientError(original ?? error) ?? clientError(error);
  const located = (client: GraphQLError) => (error instanceof GraphQLError ? locatedAt(client, error) : client);
  if (coded) return { client: located(coded), cause: null };
  if (error instanceof GraphQLError && !error.originalError) return { client: error, cause: null }; // parse/validation errors
  // No path: it failed before execution, coercing the request's variables (e.g. an Int out of range).
  if (error instanceof GraphQLError && !error.path) return { client: new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'BAD_USER_INPUT' } }), cause: null };
  const cause = original ?? error;
  // The masked error keeps its cause (never sent to the client), so it can be logged with the request id.
  return { client: located(new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR' }, originalError: cause instanceof Error ? cause : undefined })), cause };
}

/** The cause of an error that is (or is about to be) masked as INTERNAL_SERVER_ERROR; null for the others. */
export function unexpectedCause(error: GraphQLError): unknown {
  if (error.extensions.code === 'INTERNAL_SERVER_ERROR') return error.originalError ?? error;
  return classifyError(error, '').cause;
}

export function createGraphQLServer(services: Services, options: GraphQLServerOptions, logger: Logger) {
  const armor = { propagateOnRejection: true, onReject: [] as never[] };
  const plugins: Plugin[] = [
    maxTokensPlugin({ n: LIMITS.tokens, ...armor }),
    maxDepthPlugin({ n: LIMITS.depth, ignoreIntrospection: true, flattenFragments: true, ...armor }),
    maxAliasesPlugin({ n: LIMITS.aliases, ...armor }),
    maxDirectivesPlugin({ n: LIMITS.directives, ...armor }),
    costLimitPlugin({ maxCost: LIMITS.cost, ignoreIntrospection: true, ...armor }),
    // armor's cost limit sees literal page sizes only; this one, run once variables are known, sees them all.
    useVariableCostLimit({ maxCost: LIMITS.cost, objectCost: 2, scalarCost: 1, depthCostFactor: 1.5 }),
  ];
  plugins.push(useOperationMetrics(apiMetrics.graphqlDuration, logger, unexpectedCause));
  if (!options.introspection) plugins.push(useValidationRule(NoSchemaIntrospectionCustomRule));
  if (!options.fieldSuggestions) plugins.push(blockFieldSuggestionsPlugin());

  return createYoga<{ req: IncomingMessage; res: ServerResponse }, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: options.graphiql ? { title: 'Sensor platform', defaultQuery: DEFAULT_QUERY } : false,
    landingPage: false,
    // CORS and CSRF are decided for every route at the HTTP layer (http-guards.ts); JSON only.
    cors: false,
    multipart: false,
    batching: { limit: LIMITS.batch },
    logging: false,
    plugins,
    maskedErrors: { maskError: (error, message) => classifyError(error, message).client },
    // HTTP and SSE carry the token in the Authorization header; graphql-ws in connection_init (see ws-server.ts).
    context: async (initial): Promise<Context> => {
      const ws = initial as unknown as Partial<WsInitialContext>;
      const authorization = ws.connectionAuthorization ?? initial.request?.headers.get('authorization') ?? null;
      const address = ws.address ?? initial.req?.socket.remoteAddress ?? 'unknown';
      const requestId = ws.requestId ?? requestIdFor(initial.req) ?? randomUUID();
      const log = logger.child({ requestId });
      try {
        const authenticated = await services.auth.authenticate(authorization);
        return { caller: authenticated?.principal ?? null, expiresAt: authenticated?.expiresAt ?? null, authError: null, address, requestId, log, services };
      } catch (error) {
        if (!(error instanceof CoreError)) throw error;
        return { caller: null, expiresAt: null, authError: error, address, requestId, log, services };
      }
    },
  });
}

const DEFAULT_QUERY = `# Register (the first account becomes admin), then put the accessToken in the
# Headers tab as {"Authorization": "Bearer <accessToken>"}.
#
# mutation { register(username: "admin", password: "a long password") { accessToken refreshToken user { role } } }

query LatestReadings {
  readings(first: 10) {
    totalCount
    nodes { id sensorType value deviceCode deviceNumber timestamp }
    pageInfo { hasNextPage endCursor }
  }
}
`;
