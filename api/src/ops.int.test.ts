/**
 * The API's operations endpoints on a real stack: request ids, /metrics and /readyz
 * (projector lag over READY_MAX_LAG, NATS gone, Postgres refusing connections).
 */
import { jetstream } from '@nats-io/jetstream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../schema/src/log.ts';
import { register } from '../../test/support/accounts.ts';
import { FAST_ARGON2, startApiStack, TEST_JWT_SECRET, type ApiStack } from '../../test/support/api.ts';
import { createTestEnv, SHARED_DATABASE_URL, type TestEnv } from '../../test/support/env.ts';
import { publishEvents, reading } from '../../test/support/events.ts';
import { collectWs, wsClient } from '../../test/support/live.ts';
import { sampleValue, scrape } from '../../test/support/metrics.ts';
import { PrivateNatsServer, waitFor } from '../../test/support/processes.ts';
import { startProjector } from '../../test/support/projector.ts';
import { buildApp } from './app.ts';
import { loadApiEnv } from './config.ts';

const READY_MAX_LAG = 5;

interface ReadyBody {
  status: string;
  checks: Record<string, string>;
}

async function readyz(base: string): Promise<{ status: number; body: ReadyBody }> {
  const response = await fetch(`${base}/readyz`);
  return { status: response.status, body: (await response.json()) as ReadyBody };
}

describe('API operations', () => {
  let env: TestEnv;
  let stack: ApiStack;
  let base: string;

  beforeAll(async () => {
    env = await createTestEnv();
    stack = await startApiStack(env, { READY_MAX_LAG: String(READY_MAX_LAG) });
    base = stack.url.replace(/\/graphql$/, '');
  });
  afterAll(async () => {
    await stack?.stop();
    await env?.cleanup();
  });

  it('sends back the request id it was given, and makes one up for a missing or malformed one', async () => {
    const given = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'client-42.a:b' } });
    expect(given.headers.get('x-request-id')).toBe('client-42.a:b');
    const missing = await fetch(`${base}/healthz`);
    expect(missing.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const forged = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'x"} {"level":60' } });
    expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const tooLong = await fetch(`${base}/healthz`, { headers: { 'x-request-id': 'a'.repeat(129) } });
    expect(tooLong.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('exports GraphQL latency by operation name, open subscriptions and ingested readings at /metrics', async () => {
    const admin = await register(stack.gql, 'opsadmin');
    const named = await stack.gql('query WhoAmI { me { username } }', {}, admin.accessToken);
    expect(named.data).toEqual({ me: { username: 'opsadmin' } });
    await stack.gql('{ me { username } }', {}, admin.accessToken);
    await stack.gql('query Broken { readings(first: 1, filter: { from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }) { totalCount } }', {}, admin.accessToken);
    const recorded = await stack.gql<{ recordReadings: { accepted: number } }>(
      'mutation Ingest($readings: [ReadingInput!]!) { recordReadings(readings: $readings) { accepted } }',
      { readings: [1, 2, 3].map((seq) => ({ sensorType: 'humidity', value: 40 + seq, deviceCode: 'OPS', deviceNumber: 1, timestamp: new Date().toISOString(), seq })) },
      admin.accessToken,
    );
    expect(recorded.data?.recordReadings.accepted).toBe(3);

    const client = wsClient(stack.url, admin.accessToken);
    const feed = collectWs(client, 'subscription Feed { readingRecorded { sequence } }');
    try {
      const text = await waitFor(async () => {
        const t = await scrape(base);
        return sampleValue(t, 'sensors_live_subscriptions') === 1 ? t : undefined;
      }, 'the subscription to count');
      const count = (operation: string, type: string, outcome: string) =>
        sampleValue(text, 'sensors_graphql_operation_duration_seconds_count', { operation, type, outcome });
      expect(count('WhoAmI', 'query', 'ok')).toBe(1);
      expect(count('anonymous', 'query', 'ok')).toBeGreaterThanOrEqual(1);
      expect(count('Broken', 'query', 'error')).toBe(1);
      expect(count('Ingest', 'mutation', 'ok')).toBe(1);
      expect(count('Feed', 'subscription', 'ok')).toBe(1);
      expect(sampleValue(text, 'sensors_websocket_connections')).toBe(1);
      expect(sampleValue(text, 'sensors_api_ingested_readings_total', { outcome: 'stored' })).toBe(3);
      expect(sampleValue(text, 'sensors_http_request_duration_seconds_count', { route: 'graphql', method: 'POST', status: '200' })).toBeGreaterThanOrEqual(4);
      expect(sampleValue(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    } finally {
      feed.stop();
      await client.dispose();
    }
    // No event comes for this filter: the feed must still end as soon as the client leaves.
    await waitFor(async () => sampleValue(await scrape(base), 'sensors_live_subscriptions') === 0, 'the subscription to end', 3000);
    expect(sampleValue(await scrape(base), 'sensors_websocket_connections')).toBe(0);
  });

  it('is ready while the projector keeps up, and names the lag once it exceeds READY_MAX_LAG', async () => {
    await waitFor(async () => (await readyz(base)).status === 200, 'readiness');
    expect((await readyz(base)).body).toEqual({ status: 'ready', checks: { postgres: 'ok', nats: 'ok', projector: 'ok' } });

    await stack.projector.stop();
    await publishEvents(jetstream(env.nc), env.names, Array.from({ length: READY_MAX_LAG + 3 }, (_, i) => reading({ deviceCode: 'LAG', seq: i + 1 })));
    const lagging = await readyz(base);
    expect(lagging.status).toBe(503);
    expect(lagging.body.checks.postgres).toBe('ok');
    expect(lagging.body.checks.nats).toBe('ok');
    expect(lagging.body.checks.projector).toMatch(new RegExp(`^lag ${READY_MAX_LAG + 3} events exceeds READY_MAX_LAG ${READY_MAX_LAG}`));

    stack.projector = startProjector(env, 1000);
    await waitFor(async () => (await readyz(base)).status === 200, 'readiness once the projector caught up');
  });

  it('names Postgres when the database refuses connections', async () => {
    const database = new URL(env.databaseUrl).pathname.slice(1);
    const admin = new pg.Client({ connectionString: SHARED_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS false`);
      await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'api'", [database]);
      const down = await waitFor(async () => {
        const r = await readyz(base);
        return r.status === 503 && r.body.checks.postgres !== 'ok' ? r : undefined;
      }, 'readiness to notice Postgres');
      expect(down.body.checks.postgres).toMatch(/not currently accepting connections|terminat/);
      expect(down.body.checks.nats).toBe('ok');
    } finally {
      await admin.query(`ALTER DATABASE "${database}" ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    await waitFor(async () => (await readyz(base)).status === 200, 'readiness once Postgres is back');
  });
});

describe('API readiness without NATS', () => {
  it('names NATS when the server is gone', async () => {
    const nats = await PrivateNatsServer.start();
    const env = await createTestEnv({ natsUrl: nats.url });
    const apiEnv = loadApiEnv({ ...env.env, PORT: '0', JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: `/tmp/${env.id}`, ...FAST_ARGON2 });
    const app = await buildApp({ env: apiEnv, logger: createLogger('api-test', process.env.TEST_LOG_LEVEL ?? 'silent') });
    const base = (await app.start()).url.replace(/\/graphql$/, '');
    try {
      expect((await readyz(base)).status).toBe(200);
      await nats.stop('SIGKILL');
      const down = await readyz(base);
      expect(down.status).toBe(503);
      expect(down.body.status).toBe('not ready');
      expect(down.body.checks.nats).toMatch(/no answer within 2000 ms|closed|disconnect/);
      expect(down.body.checks.postgres).toBe('ok');
    } finally {
      await nats.restart();
      await app.stop();
      await env.cleanup();
      await nats.destroy();
    }
  });
});

describe('unexpected errors', () => {
  it('are masked for the client and logged once, with the request id', async () => {
    const env = await createTestEnv();
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger('api', 'info', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const apiEnv = loadApiEnv({ ...env.env, PORT: '0', JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: `/tmp/${env.id}`, ...FAST_ARGON2 });
    const app = await buildApp({ env: apiEnv, logger });
    const { url } = await app.start();
    try {
      const gql = (query: string, token?: string) =>
        fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': 'unexpected-1', ...(token ? { authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify({ query }),
        }).then((r) => r.json() as Promise<{ data?: { register?: { accessToken: string } }; errors?: { message: string; extensions: { code: string } }[] }>);
      const token = (await gql('mutation { register(username: "oops", password: "long enough password") { accessToken } }')).data!.register!.accessToken;
      // A fault no rule expects: the readings table is gone.
      await env.db.query('ALTER TABLE readings RENAME TO readings_away');
      const answer = await gql('query Latest { readings(first: 1) { totalCount } }', token);
      expect(answer.errors?.[0]?.extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(answer.errors?.[0]?.message).not.toMatch(/readings|relation|SQL/i);
      const logged = lines.filter((l) => l.msg === 'unexpected error in a GraphQL operation');
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatchObject({ requestId: 'unexpected-1', level: 50 });
      expect(JSON.stringify(logged[0]!.err)).toContain('readings');
    } finally {
      await env.db.query('ALTER TABLE IF EXISTS readings_away RENAME TO readings').catch(() => undefined);
      await app.stop();
      await env.cleanup();
    }
  });
});
