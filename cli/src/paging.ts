/**
 * Pages larger than one request carries. The API serves at most 1,000 rows a request (and
 * its cost limit admits one such page with every field); 500 at a time keeps each answer
 * small enough to print as it arrives. A longer page is fetched as several requests,
 * following the cursors (or, for numbered pages, as consecutive smaller numbered pages).
 */

export const REQUEST_PAGE_SIZE = 500;

export interface PageInfo {
  hasNextPage: boolean;
  endCursor?: string | null;
}

export interface Chunk<T> {
  nodes: T[];
  pageInfo: PageInfo;
}

/** Up to `limit` nodes (Infinity: all) from `after` on, in requests of at most REQUEST_PAGE_SIZE. */
export async function collectByCursor<C extends Chunk<unknown>>(
  fetchChunk: (first: number, after: string | undefined) => Promise<C>,
  limit: number,
  after: string | undefined,
): Promise<{ nodes: C['nodes']; last: C }> {
  const nodes: C['nodes'] = [];
  let cursor = after;
  for (;;) {
    const last = await fetchChunk(Math.min(REQUEST_PAGE_SIZE, limit - nodes.length), cursor);
    nodes.push(...last.nodes);
    cursor = last.pageInfo.endCursor ?? undefined;
    if (nodes.length >= limit || !last.pageInfo.hasNextPage || !cursor) return { nodes, last };
  }
}

/**
 * Numbered page `page` of `limit` nodes, as consecutive numbered pages of the largest size
 * that divides `limit` and fits in one request (page 3 of 1,000 = pages 5 and 6 of 500).
 */
export async function collectNumberedPage<C extends Chunk<unknown>>(
  fetchChunk: (page: number, limit: number) => Promise<C>,
  page: number,
  limit: number,
): Promise<{ nodes: C['nodes']; last: C }> {
  let size = Math.min(limit, REQUEST_PAGE_SIZE);
  while (limit % size !== 0) size--;
  const first = ((page - 1) * limit) / size + 1;
  const nodes: C['nodes'] = [];
  for (let k = 0; ; k++) {
    const last = await fetchChunk(first + k, size);
    nodes.push(...last.nodes);
    if (k + 1 === limit / size || last.nodes.length < size) return { nodes, last };
  }
}
