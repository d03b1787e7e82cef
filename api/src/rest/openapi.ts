/**
 * The OpenAPI 3.1 description of the REST API, built from the route table: paths,
 * methods, who may call, and the JSON Schemas of queries, bodies and answers, converted
 * from the very zod schemas the router checks requests with (zod's own toJSONSchema,
 * which writes the JSON Schema 2020-12 that OpenAPI 3.1 uses).
 */
import { z } from 'zod';
import { MAX_BODY_BYTES } from './input.ts';
import { REST_PREFIX, type Route } from './router.ts';
import { INTEGER_PARAM, paginatorSchema, pendingChangeSchema } from './schemas.ts';

type JsonSchema = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

const successEnvelope = (route: Route): JsonSchema => ({
  type: 'object',
  required: ['status', 'message', ...(route.data ? ['data'] : []), ...(route.paginated ? ['paginator'] : [])],
  properties: {
    status: { const: 'success' },
    message: { type: 'string' },
    ...(route.data ? { data: jsonSchema(route.data, 'output') } : {}),
    ...(route.paginated ? { paginator: { $ref: '#/components/schemas/Paginator' } } : {}),
  },
});

const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });

function queryParameters(route: Route): JsonSchema[] {
  const schema = jsonSchema(route.query, 'input') as { properties?: Record<string, JsonSchema & { description?: string }>; required?: string[] };
  return Object.entries(schema.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    // On the wire every parameter is text; the document says what the text must be.
    const typed = rest.pattern === INTEGER_PARAM.source ? { type: 'integer' } : rest;
    return { name, in: 'query', required: schema.required?.includes(name) ?? false, description, schema: typed };
  });
}

function operation(route: Route): JsonSchema {
  const parameters = queryParameters(route);
  const responses: Record<string, unknown> = {
    200: { description: 'done', content: { 'application/json': { schema: successEnvelope(route) } } },
  };
  if (route.body || parameters.length > 0) {
    responses[400] = errorResponse('a field is missing, of the wrong type, unknown, or breaks a rule; the message names it (malformed JSON too)');
  }
  if (route.auth !== 'none') responses[401] = errorResponse('the token is missing (where one is needed), malformed, invalid or expired');
  if (route.auth !== 'none' && route.auth !== 'optional') responses[403] = errorResponse('your role may not do this');
  if (route.body) responses[413] = errorResponse(`the body is larger than ${MAX_BODY_BYTES} bytes`);
  for (const [status, description] of Object.entries(route.responses ?? {})) {
    responses[status] =
      status === '202'
        ? { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/PendingChange' } } } }
        : errorResponse(description);
  }
  return {
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    operationId: `${route.method.toLowerCase()}${route.path.replace(/\/(\w)/g, (_, c: string) => c.toUpperCase())}`,
    ...(route.auth === 'none' ? { security: [] } : route.auth === 'optional' ? { security: [{}, { bearer: [] }] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } } : {}),
    responses,
  };
}

export function openApiDocument(routes: readonly Route[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) (paths[`${REST_PREFIX}${route.path}`] ??= {})[route.method.toLowerCase()] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Sensor platform REST API (compatible with the older sensor API)',
      version: '1.0.0',
      description:
        'Every answer is an envelope {status: "success"|"error", message, data?, paginator?}. Send the access token from /auth/login (or an API key) as `Authorization: Bearer <token>`. The same rules, events and roles as the GraphQL API at /graphql.',
    },
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An access token from /auth/login, or an API key (sk_…) created through GraphQL' } },
      schemas: {
        Paginator: jsonSchema(paginatorSchema, 'output'),
        Error: {
          type: 'object',
          required: ['status', 'message'],
          properties: { status: { const: 'error' }, message: { type: 'string' }, data: { description: 'only on a partial simulator failure: which instances did it and which did not' } },
        },
        PendingChange: {
          type: 'object',
          required: ['status', 'message', 'data'],
          properties: { status: { const: 'success' }, message: { type: 'string' }, data: jsonSchema(pendingChangeSchema, 'output') },
        },
      },
    },
  };
}
