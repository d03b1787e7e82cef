/**
 * Serves the built dashboard (dashboard/dist, `npm run build:dashboard`) at `/`: its files
 * with their content types, hashed assets cached for a year, and index.html (never cached)
 * for every other path without an extension, so client routes survive a reload.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_DASHBOARD_DIR = fileURLToPath(new URL('../../dashboard/dist', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** Vite names what it emits under assets/ by content hash: such a file never changes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Dashboard not built</title>
<p>The dashboard has not been built. Run <code>npm run build:dashboard</code> (<code>npm start</code> does it for you), then reload.
GraphQL is at <a href="/graphql">/graphql</a>.</p>`;

async function fileSize(path: string): Promise<number | null> {
  const info = await stat(path).catch(() => null);
  return info?.isFile() ? info.size : null;
}

/** Returns a request handler for GET/HEAD requests that no API route took. */
export function createDashboardHandler(dir = DEFAULT_DASHBOARD_DIR) {
  const root = normalize(dir + sep);

  const send = (req: IncomingMessage, res: ServerResponse, path: string, size: number, cache: string) => {
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': cache,
      ...SECURITY_HEADERS,
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  return async (req: IncomingMessage, res: ServerResponse, urlPath: string): Promise<void> => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      decoded = '';
    }
    const candidate = normalize(join(root, decoded));
    const inside = candidate.startsWith(root) && !decoded.includes('\0');
    const size = inside ? await fileSize(candidate) : null;
    if (size !== null) return send(req, res, candidate, size, candidate.startsWith(join(root, 'assets') + sep) ? IMMUTABLE : 'no-cache');

    const index = join(root, 'index.html');
    const indexSize = await fileSize(index);
    // A path with an extension names a file that is not there; anything else is a client route.
    if (extname(decoded) || indexSize === null) {
      const notBuilt = indexSize === null;
      res.writeHead(notBuilt ? 503 : 404, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', ...SECURITY_HEADERS });
      return void res.end(req.method === 'HEAD' ? undefined : notBuilt ? NOT_BUILT : '<!doctype html><title>Not found</title><p>Not found.</p>');
    }
    send(req, res, index, indexSize, 'no-cache');
  };
}
