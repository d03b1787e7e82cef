/**
 * The API process's Prometheus metrics, served at /metrics. One registry per process:
 * features register their own metrics on it (`registers: [apiRegistry]`), e.g.
 *
 *   new Gauge({ name: `${METRIC_PREFIX}alarms_active`, help: '…', labelNames: ['severity'], registers: [apiRegistry] });
 *
 * Counters are bumped once per operation or batch, never per event inside a batch.
 */
import { Counter, Gauge, Histogram } from 'prom-client';
import { createRegistry, METRIC_PREFIX } from '../../schema/src/metrics.ts';

export { METRIC_PREFIX };

export const apiRegistry = createRegistry();

const LATENCY_BUCKETS = [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const apiMetrics = {
  graphqlDuration: new Histogram({
    name: `${METRIC_PREFIX}graphql_operation_duration_seconds`,
    help: 'GraphQL operations (queries and mutations over HTTP, SSE and WebSocket; a subscription counts its set-up) by operation name, type and outcome',
    labelNames: ['operation', 'type', 'outcome'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [apiRegistry],
  }),
  httpDuration: new Histogram({
    name: `${METRIC_PREFIX}http_request_duration_seconds`,
    help: 'HTTP requests by route (graphql, rest, healthz, readyz, metrics, other), method and status code',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [apiRegistry],
  }),
  subscriptions: new Gauge({
    name: `${METRIC_PREFIX}live_subscriptions`,
    help: 'Live subscriptions open now (graphql-ws and SSE)',
    registers: [apiRegistry],
  }),
  slowClientsDropped: new Counter({
    name: `${METRIC_PREFIX}live_slow_clients_dropped_total`,
    help: 'Subscriptions cut off because the client fell more than SUBSCRIPTION_BUFFER_LIMIT events behind',
    registers: [apiRegistry],
  }),
  websocketConnections: new Gauge({
    name: `${METRIC_PREFIX}websocket_connections`,
    help: 'graphql-ws connections open now',
    registers: [apiRegistry],
  }),
  ingestedReadings: new Counter({
    name: `${METRIC_PREFIX}api_ingested_readings_total`,
    help: 'Readings recorded through the API (recordReadings and REST), stored by JetStream; duplicates (retried batches) counted apart',
    labelNames: ['outcome'] as const,
    registers: [apiRegistry],
  }),
};
