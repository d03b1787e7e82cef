/**
 * GraphQL attacks the limits of api/src/graphql-limits.int.test.ts (depth, aliases, tokens,
 * literal cost, directives, batch size, INTROSPECTION/GRAPHIQL=false) do not cover: page
 * sizes passed through variables or `limit` to get past the cost limit (over HTTP and
 * graphql-ws), the production defaults (NODE_ENV=production alone turns introspection,
 * GraphiQL and field suggestions off), and error masking: an unexpected failure (here a
 * table that has gone) answers a generic error, with no SQL, table name or stack.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LIMITS } from '../../api/src/graphql-server.ts';
import { register, type Account } from '../support/accounts.ts';
import { startBareApi, type BareApi } from '../support/bare-api.ts';
import { createTestEnv, type TestEnv } from '../support/env.ts';
import { collectWs, wsClient } from '../support/live.ts';
import { restClient } from '../support/rest.ts';

let env: TestEnv;
let dev: BareApi;
let prod: BareApi;
let admin: Account;

beforeAll(async () => {
  env = await createTestEnv();
  dev = await startBareApi(env);
  prod = await startBareApi(env, { NODE_ENV: 'production' });
  admin = await register(dev.gql, 'root');
});

afterAll(async () => {
  await prod?.stop();
  await dev?.stop();
  await env?.cleanup();
});

const FIELDS = 'id value sensorType deviceCode deviceNumber timestamp';
/** `n` aliased copies of `field`: six pages of 1,000 readings (each a legal page size) cost 111,000, over the limit. */
const COPIES = 6;
const copies = (field: string, n = COPIES) => Array.from({ length: n }, (_, i) => `p${i}: ${field}`).join(' ');
const BY_VARIABLE = `query ($n: Int) { ${copies(`readings(first: $n) { nodes { ${FIELDS} } }`)} }`;
const EMPTY_PAGES = Object.fromEntries(Array.from({ length: COPIES }, (_, i) => [`p${i}`, { nodes: [] }]));
const COST_REFUSED = new RegExp(`Cost limit of ${LIMITS.cost} exceeded`);

describe('cost limit', () => {
  it('runs a page size passed as a variable when the cost is within the limit', async () => {
    const response = await dev.gql(BY_VARIABLE, { n: 10 }, admin.accessToken);
    expect(response.errors).toBeUndefined();
    expect(response.data).toEqual(EMPTY_PAGES);
  });

  it('runs the largest page the API serves (1,000 readings, every field, cursors, pageInfo, totalCount) in one request', async () => {
    const every = 'id sequence sensorType value deviceCode deviceNumber timestamp recordedAt seq updatedAt updatedBy deletedAt deletedBy restoredAt restoredBy';
    const query = `query ($n: Int) { readings(first: $n) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { ${every} } } } }`;
    const response = await dev.gql(query, { n: 1000 }, admin.accessToken);
    expect(response.errors).toBeUndefined();
    expect(response.data).toMatchObject({ readings: { totalCount: 0, edges: [] } });
  });

  it('refuses a page size passed as a variable that takes the cost over the limit, as it refuses the same literal', async () => {
    const literal = await dev.gql(`{ ${copies(`readings(first: 1000) { nodes { ${FIELDS} } }`)} }`, {}, admin.accessToken);
    expect(literal.errors?.[0]?.message).toMatch(COST_REFUSED);
    const variable = await dev.gql(BY_VARIABLE, { n: 1000 }, admin.accessToken);
    expect(variable.errors?.[0]?.message).toMatch(COST_REFUSED);
    expect(variable.data ?? null).toBeNull();
  });

  it('counts `last` and `limit` (numbered pages), literal or variable, and page sizes in fragments', async () => {
    const cases = [
      { query: `query ($n: Int) { ${copies(`readings(last: $n) { nodes { ${FIELDS} } }`)} }`, variables: { n: 1000 } },
      { query: `{ ${copies(`readings(page: 1, limit: 1000) { nodes { ${FIELDS} } }`)} }`, variables: {} },
      { query: `query ($n: Int) { ${copies(`readings(page: 1, limit: $n) { nodes { ${FIELDS} } }`)} }`, variables: { n: 1000 } },
      { query: `query ($n: Int) { ...Page } fragment Page on Query { ${copies(`readings(first: $n) { nodes { ${FIELDS} } }`)} }`, variables: { n: 1000 } },
      { query: `query ($n: Int) { ${copies('devices(first: $n) { nodes { deviceCode deviceNumber status lastSeenAt lostMessages } }', 7)} }`, variables: { n: 1000 } },
    ];
    for (const { query, variables } of cases) {
      const response = await dev.gql(query, variables, admin.accessToken);
      expect(response.errors?.[0]?.message, query).toMatch(COST_REFUSED);
      expect(response.data ?? null).toBeNull();
      // The same document with a small page runs.
      const small = await dev.gql(query.replaceAll('1000', '5'), Object.keys(variables).length ? { n: 5 } : {}, admin.accessToken);
      expect(small.errors, query).toBeUndefined();
    }
  });

  it('refuses the same over graphql-ws, where the page size arrives in the subscribe message', async () => {
    const client = wsClient(dev.url, admin.accessToken);
    try {
      const refused = collectWs(client, BY_VARIABLE, { n: 1000 });
      await refused.done;
      expect(refused.items).toEqual([]);
      expect(String((refused.errors[0] as { message?: string }).message)).toMatch(COST_REFUSED);
      const allowed = collectWs<Record<string, { nodes: unknown[] }>>(client, BY_VARIABLE, { n: 5 });
      await allowed.done;
      expect(allowed.errors).toEqual([]);
      expect(allowed.items).toEqual([EMPTY_PAGES]);
    } finally {
      await client.dispose();
    }
  });
});

describe('limits over graphql-ws', () => {
  it('refuses too many aliases, tokens, too deep a query and bad syntax on a WebSocket as over HTTP, keeping the connection, and runs one within them', async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: me { id }`).join(' ')} }`;
    /** `__type { fields { type { ofType … { name } } } }`: depth 3 + ofTypes + 1 (as in graphql-limits.int.test.ts). */
    const deep = (n: number) => `{ __type(name: "Query") { fields { type { ${'ofType { '.repeat(n - 4)}name${' }'.repeat(n - 4)} } } } }`;
    const closes: number[] = [];
    const client = wsClient(dev.url, admin.accessToken, { onClose: (code) => closes.push(code) });
    const stderr = vi.spyOn(console, 'error');
    try {
      const cases: [string, RegExp][] = [
        ['{ me { id }', /^Syntax Error: Expected Name, found <EOF>/],
        [aliases(LIMITS.aliases + 1), new RegExp(`Aliases limit of ${LIMITS.aliases} exceeded`)],
        [`{ ${'__typename '.repeat(LIMITS.tokens)} }`, new RegExp(`Token limit of ${LIMITS.tokens} exceeded`)],
        [deep(LIMITS.depth + 1), new RegExp(`depth limit of ${LIMITS.depth} exceeded`)],
      ];
      for (const [query, refusal] of cases) {
        const refused = collectWs(client, query);
        await refused.done;
        expect(refused.items, query.slice(0, 40)).toEqual([]);
        expect(String((refused.errors[0] as { message?: string }).message)).toMatch(refusal);
      }
      const within = collectWs<Record<string, string>>(client, aliases(LIMITS.aliases));
      await within.done;
      expect(within.errors).toEqual([]);
      expect(Object.keys(within.items[0] ?? {})).toHaveLength(LIMITS.aliases);
      // One connection all along (graphql-ws used to close it with 4500 and print the refusal to stderr).
      expect(closes).toEqual([]);
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      stderr.mockRestore();
      await client.dispose();
    }
  });
});

describe('production defaults (NODE_ENV=production, nothing else set)', () => {
  const INTROSPECTION = '{ __schema { queryType { name } } }';
  const TYPO = '{ readings { nodes { valu } } }';

  it('answers introspection in development, and refuses it in production', async () => {
    expect((await dev.gql(INTROSPECTION)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const response = await prod.gql(INTROSPECTION);
    expect(response.data ?? null).toBeNull();
    expect(response.errors?.[0]?.message).toMatch(/introspection has been disabled/);
    expect((await prod.gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });

  it('refuses introspection over graphql-ws in production too', async () => {
    const client = wsClient(prod.url, admin.accessToken);
    try {
      const refused = collectWs(client, INTROSPECTION);
      await refused.done;
      expect(refused.items).toEqual([]);
      expect(String((refused.errors[0] as { message?: string }).message)).toMatch(/introspection has been disabled/);
    } finally {
      await client.dispose();
    }
  });

  it('serves GraphiQL in development, and not in production', async () => {
    const page = (url: string) => fetch(url, { headers: { accept: 'text/html' } });
    const served = await page(dev.url);
    expect(served.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await served.text()).toMatch(/graphiql/i);
    const refused = await page(prod.url);
    expect(refused.headers.get('content-type') ?? '').not.toMatch(/text\/html/);
    expect(await refused.text()).not.toMatch(/graphiql/i);
  });

  it('suggests field names in development, and not in production', async () => {
    const suggested = await dev.gql(TYPO);
    expect(suggested.errors?.[0]?.message).toBe('Cannot query field "valu" on type "Reading". Did you mean "value"?');
    const blocked = await prod.gql(TYPO);
    expect(blocked.errors?.[0]?.message).toBe('Cannot query field "valu" on type "Reading". [Suggestion hidden]');
  });

  it('follows explicit overrides in production', async () => {
    const open = await startBareApi(env, { NODE_ENV: 'production', INTROSPECTION: 'true', GRAPHIQL: 'true', FIELD_SUGGESTIONS: 'true' });
    try {
      expect((await open.gql(INTROSPECTION)).data).toEqual({ __schema: { queryType: { name: 'Query' } } });
      expect((await open.gql(TYPO)).errors?.[0]?.message).toMatch(/Did you mean "value"\?/);
      expect((await fetch(open.url, { headers: { accept: 'text/html' } })).headers.get('content-type')).toMatch(/^text\/html/);
    } finally {
      await open.stop();
    }
  });
});

describe('error masking', () => {
  const STATS = '{ readingStats(bucket: DAY) { start count } }';
  const LEAKS = /reading_rollups|readings|relation|SELECT|postgres|stack|\s+at\s+\S+\s\(|\.ts:\d+/i;

  it('answers a generic INTERNAL_SERVER_ERROR for an unexpected failure, without SQL, table names or stack, in development and production, over HTTP and graphql-ws', async () => {
    expect((await dev.gql(STATS, {}, admin.accessToken)).data).toEqual({ readingStats: [] });
    await env.db.query('ALTER TABLE reading_rollups RENAME TO reading_rollups_gone');
    try {
      for (const api of [dev, prod]) {
        const response = await fetch(api.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.accessToken}` },
          body: JSON.stringify({ query: STATS }),
        });
        const text = await response.text();
        const body = JSON.parse(text) as { data: unknown; errors: { message: string; extensions: Record<string, unknown> }[] };
        expect(body.errors).toHaveLength(1);
        expect(body.errors[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
        expect(Object.keys(body.errors[0]!.extensions)).toEqual(['code']);
        expect(text.replace('readingStats', '')).not.toMatch(LEAKS);

        const client = wsClient(api.url, admin.accessToken);
        try {
          const overWs = collectWs(client, STATS);
          await overWs.done;
          expect(overWs.errors).toHaveLength(1);
          expect(overWs.errors[0]).toMatchObject({ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
          expect(JSON.stringify(overWs.errors).replace('readingStats', '')).not.toMatch(LEAKS);
        } finally {
          await client.dispose();
        }
      }
    } finally {
      await env.db.query('ALTER TABLE reading_rollups_gone RENAME TO reading_rollups');
    }
    expect((await dev.gql(STATS, {}, admin.accessToken)).data).toEqual({ readingStats: [] });
  });

  it('answers REST 500 "internal server error" for an unexpected failure, without SQL or stack', async () => {
    const rest = restClient(dev.url);
    const list = () => rest('GET', '/sensors', { token: admin.accessToken, query: { limit: 1, page: 1 } });
    expect((await list()).status).toBe(200);
    await env.db.query('ALTER TABLE readings RENAME TO readings_gone');
    try {
      const response = await list();
      expect(response.status).toBe(500);
      expect(response.body).toEqual({ status: 'error', message: 'internal server error' });
    } finally {
      await env.db.query('ALTER TABLE readings_gone RENAME TO readings');
    }
  });
});
