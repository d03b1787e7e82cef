/** The REST API's entry: its routes, and the OpenAPI document describing them at /api/v1/openapi.json. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../../schema/src/log.ts';
import type { Services } from '../context.ts';
import { authRoutes } from './auth.ts';
import { generateRoutes } from './generate.ts';
import { openApiDocument } from './openapi.ts';
import { createRestHandler, REST_PREFIX, type Route } from './router.ts';
import { sensorRoutes } from './sensors.ts';

export { REST_PREFIX };

export const REST_ROUTES: readonly Route[] = [...authRoutes, ...sensorRoutes, ...generateRoutes];

export const OPENAPI_PATH = `${REST_PREFIX}/openapi.json`;

export function createRestApi(services: Services, logger: Logger) {
  const handle = createRestHandler(REST_ROUTES, services, logger);
  const openapi = JSON.stringify(openApiDocument(REST_ROUTES), null, 2);
  return (req: IncomingMessage, res: ServerResponse): void => {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === OPENAPI_PATH) {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(openapi);
      return;
    }
    void handle(req, res);
  };
}
