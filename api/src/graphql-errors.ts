/** Core errors → GraphQL errors with `extensions.code`: the one place that mapping lives. */
import { GraphQLError } from 'graphql';
import { CoreError } from './core/errors.ts';
import { databaseUnavailable } from './core/unavailable.ts';

export function toGraphQLError(error: CoreError): GraphQLError {
  return new GraphQLError(error.message, { extensions: { code: error.code, ...error.details }, originalError: error });
}

/** The error a client sees: coded errors pass, an unavailable database is retryable, anything unexpected is masked. */
export function clientError(error: unknown): GraphQLError | null {
  if (error instanceof CoreError) return toGraphQLError(error);
  if (error instanceof GraphQLError) {
    if (error.originalError instanceof CoreError) return toGraphQLError(error.originalError);
    if (error.extensions?.code) return error;
  }
  // A lost database connection is not the client's fault nor a bug: tell them to retry.
  const unavailable = databaseUnavailable(error);
  return unavailable ? toGraphQLError(unavailable) : null;
}

/** `error` reported where `at` happened (locations and path): the GraphQL spec asks field errors to say which field. */
export function locatedAt(error: GraphQLError, at: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: at.nodes,
    source: at.source,
    positions: at.positions,
    path: at.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}
