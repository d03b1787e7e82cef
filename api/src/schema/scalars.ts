import { GraphQLError, Kind } from 'graphql';
import { builder } from '../builder.ts';
import { CoreError } from '../core/errors.ts';
import { parseTime } from '../core/readings/input.ts';

function parseDateTime(value: unknown): string {
  if (typeof value !== 'string') throw new GraphQLError('DateTime must be a string: an RFC 3339 time with an offset', { extensions: { code: 'BAD_USER_INPUT' } });
  try {
    return parseTime(value, 'DateTime');
  } catch (error) {
    // No CoreError inside: yoga takes an error wrapping another for a server fault, and answers 500 when no data was produced.
    throw error instanceof CoreError ? new GraphQLError(error.message, { extensions: { code: error.code, ...error.details } }) : error;
  }
}

builder.scalarType('DateTime', {
  description: 'An RFC 3339 date-time with an offset, e.g. 2026-01-31T12:00:00Z. Returned in UTC.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : value),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});
