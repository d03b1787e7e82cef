/**
 * Paging through readings: relay cursors forwards (first/after) and backwards
 * (last/before), numbered pages (page/limit), both orders, with totalCount. Readings
 * share timestamps in pairs so that ties are broken by id, and another device's
 * readings are interleaved so that the filter is part of every page.
 */
import { jetstream } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiStack, type ApiStack } from '../../../test/support/api.ts';
import { login, register, type Account } from '../../../test/support/accounts.ts';
import { createTestEnv, type TestEnv } from '../../../test/support/env.ts';
import { iso, publishEvents, reading, T0 } from '../../../test/support/events.ts';

const COUNT = 23;

let env: TestEnv;
let api: ApiStack;
let user: Account;
/** The PG readings as [timestamp ms, id], newest first (timestamp, then id, descending). */
let newestFirst: { at: number; id: string }[];

beforeAll(async () => {
  env = await createTestEnv();
  api = await startApiStack(env);
  await register(api.gql, 'root');
  user = await register(api.gql, 'alice');
  const at = (i: number) => T0 + Math.floor(i / 2) * 60_000;
  const events = Array.from({ length: COUNT }, (_, i) => [reading({ deviceCode: 'PG', value: i, at: at(i) }), reading({ deviceCode: 'OTHER', value: i, at: at(i) })]).flat();
  const seqs = await publishEvents(jetstream(env.nc), env.names, events);
  await api.projector.waitFor(seqs.at(-1)!, 10_000);
  newestFirst = Array.from({ length: COUNT }, (_, i) => ({ at: at(i), id: String(seqs[i * 2]) })).sort((a, b) => b.at - a.at || Number(b.id) - Number(a.id));
});

afterAll(async () => {
  await api?.stop();
  await env?.cleanup();
});

interface Page {
  totalCount: number;
  edges: { cursor: string; node: { id: string; timestamp: string } }[];
  nodes: { id: string }[];
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const PAGE_FIELDS = 'totalCount edges { cursor node { id timestamp } } nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

async function page(args: Record<string, unknown>, field: 'readings' | 'deletedReadings' = 'readings', token = user.accessToken): Promise<Page> {
  const response = await api.gql<Record<string, Page>>(
    `query ($filter: ReadingFilter, $first: Int, $after: String, $last: Int, $before: String, $page: Int, $limit: Int, $order: ReadingOrder) {
      ${field}(filter: $filter, first: $first, after: $after, last: $last, before: $before, page: $page, limit: $limit, order: $order) { ${PAGE_FIELDS} }
    }`,
    { filter: { deviceCode: 'PG' }, ...args },
    token,
  );
  if (!response.data) throw new Error(JSON.stringify(response.errors));
  const result = response.data[field]!;
  // Every page is self-consistent: nodes match edges, and the page's cursors are its ends.
  expect(result.nodes.map((n) => n.id)).toEqual(result.edges.map((e) => e.node.id));
  expect([result.pageInfo.startCursor, result.pageInfo.endCursor]).toEqual([result.edges[0]?.cursor ?? null, result.edges.at(-1)?.cursor ?? null]);
  return result;
}

const ids = (p: Page) => p.nodes.map((n) => n.id);

/** Walks first/after from the start; returns the pages. */
async function walkForward(size: number, args: Record<string, unknown> = {}, field?: 'readings' | 'deletedReadings', token?: string): Promise<Page[]> {
  const pages: Page[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const p = await page({ ...args, first: size, after }, field, token);
    pages.push(p);
    if (!p.pageInfo.hasNextPage) return pages;
    after = p.pageInfo.endCursor;
  }
  throw new Error('forward walk did not end');
}

/** Walks last/before from the end; returns the pages, last page first. */
async function walkBackward(size: number, args: Record<string, unknown> = {}): Promise<Page[]> {
  const pages: Page[] = [];
  let before: string | null = null;
  for (let guard = 0; guard < 100; guard++) {
    const p = await page({ ...args, last: size, before });
    pages.push(p);
    if (!p.pageInfo.hasPreviousPage) return pages;
    before = p.pageInfo.startCursor;
  }
  throw new Error('backward walk did not end');
}

describe('cursor pagination', () => {
  it('walks every matching reading exactly once, newest first, with first/after', async () => {
    const pages = await walkForward(5);
    expect(pages.map((p) => p.nodes.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.flatMap(ids)).toEqual(newestFirst.map((r) => r.id));
    expect(pages.map((p) => p.totalCount)).toEqual(Array(5).fill(COUNT));
    expect(pages.map((p) => p.pageInfo.hasPreviousPage)).toEqual([false, true, true, true, true]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, true, true, false]);
    expect(Date.parse(pages[0]!.edges[0]!.node.timestamp)).toBe(newestFirst[0]!.at);
  });

  it('walks every matching reading exactly once with last/before, each page still newest first', async () => {
    const pages = await walkBackward(5);
    expect(pages.map((p) => p.nodes.length)).toEqual([5, 5, 5, 5, 3]);
    expect(pages.reverse().flatMap(ids)).toEqual(newestFirst.map((r) => r.id));
    expect(pages.map((p) => p.totalCount)).toEqual(Array(5).fill(COUNT));
  });

  it('walks oldest first with OLDEST_FIRST, forwards and backwards', async () => {
    const oldestFirst = newestFirst.map((r) => r.id).reverse();
    expect((await walkForward(4, { order: 'OLDEST_FIRST' })).flatMap(ids)).toEqual(oldestFirst);
    expect((await walkBackward(4, { order: 'OLDEST_FIRST' })).reverse().flatMap(ids)).toEqual(oldestFirst);
  });

  it('walks one page that holds everything when first exceeds the count', async () => {
    const [only, ...rest] = await walkForward(1000);
    expect(rest).toEqual([]);
    expect(ids(only!)).toEqual(newestFirst.map((r) => r.id));
    expect(only!.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false });
  });

  it('resumes after any cursor with the readings that follow it', async () => {
    const all = await page({ first: COUNT });
    for (const index of [0, 7, 8, COUNT - 2]) {
      const next = await page({ first: 3, after: all.edges[index]!.cursor });
      expect(ids(next)).toEqual(newestFirst.slice(index + 1, index + 4).map((r) => r.id));
    }
    expect(ids(await page({ first: 3, after: all.edges.at(-1)!.cursor }))).toEqual([]);
  });

  it('pages inside an inclusive time range', async () => {
    // Timestamps come in pairs: minutes 3..6 hold readings 6..13.
    const filter = { deviceCode: 'PG', from: iso(T0 + 3 * 60_000), to: iso(T0 + 6 * 60_000) };
    const pages = await walkForward(3, { filter });
    expect(pages.flatMap(ids)).toEqual(newestFirst.filter((r) => r.at >= T0 + 3 * 60_000 && r.at <= T0 + 6 * 60_000).map((r) => r.id));
    expect(pages.flatMap(ids)).toHaveLength(8);
    expect(pages[0]!.totalCount).toBe(8);
  });
});

describe('numbered pages', () => {
  it('splits the readings into page/limit pages with the same order and totalCount', async () => {
    const pages = [];
    for (let n = 1; n <= 5; n++) pages.push(await page({ page: n, limit: 5 }));
    expect(pages.flatMap(ids)).toEqual(newestFirst.map((r) => r.id));
    expect(pages.map((p) => p.totalCount)).toEqual(Array(5).fill(COUNT));
    expect(pages.map((p) => [p.pageInfo.hasPreviousPage, p.pageInfo.hasNextPage])).toEqual([
      [false, true],
      [true, true],
      [true, true],
      [true, true],
      [true, false],
    ]);
  });

  it('answers an empty page past the end, still with the totalCount', async () => {
    const past = await page({ page: 6, limit: 5 });
    expect(past.nodes).toEqual([]);
    expect(past.totalCount).toBe(COUNT);
    expect(past.pageInfo.hasNextPage).toBe(false);
  });

  it('numbers pages of the oldest-first order too', async () => {
    const second = await page({ page: 2, limit: 10, order: 'OLDEST_FIRST' });
    expect(ids(second)).toEqual(newestFirst.map((r) => r.id).reverse().slice(10, 20));
  });
});

describe('deleted readings', () => {
  it('pages through the deleted view exactly once', async () => {
    const admin = (await login(api.gql, 'root')).accessToken;
    const deletion = await api.gql<{ deleteReadings: { affected: number } }>('mutation { deleteReadings(filter: { deviceCode: "OTHER" }) { affected } }', {}, admin);
    expect(deletion.data?.deleteReadings.affected).toBe(COUNT);
    const pages = await walkForward(6, { filter: { deviceCode: 'OTHER' } }, 'deletedReadings', admin);
    const seen = pages.flatMap(ids);
    expect(new Set(seen).size).toBe(COUNT);
    expect(seen).toHaveLength(COUNT);
    expect(pages[0]!.totalCount).toBe(COUNT);
    // The active view no longer has them.
    expect((await page({ filter: { deviceCode: 'OTHER' }, first: 10 })).totalCount).toBe(0);
  });
});
