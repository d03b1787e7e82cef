/** The dashboard's static file handler on a real HTTP server, over a dist folder made here. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardHandler } from './dashboard.ts';

const INDEX = '<!doctype html><title>dashboard</title>';
let root: string;
let servers: Server[] = [];

async function serve(dir: string): Promise<string> {
  const handler = createDashboardHandler(dir);
  const server = createServer((req, res) => void handler(req, res, (req.url ?? '/').split('?')[0]!));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'dashboard-dist-'));
  mkdirSync(join(root, 'dist/assets'), { recursive: true });
  writeFileSync(join(root, 'dist/index.html'), INDEX);
  writeFileSync(join(root, 'dist/assets/app-1a2b3c.js'), 'console.log(1)');
  writeFileSync(join(root, 'dist/assets/app-1a2b3c.css'), 'body{}');
  writeFileSync(join(root, 'secret.txt'), 'outside dist');
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  servers = [];
  rmSync(root, { recursive: true, force: true });
});

describe('the dashboard handler', () => {
  it('serves index.html uncached at / and for client routes, assets with their type and a year of caching', async () => {
    const base = await serve(join(root, 'dist'));
    for (const path of ['/', '/devices/A/7', '/readings']) {
      const response = await fetch(`${base}${path}`);
      expect([response.status, response.headers.get('content-type'), response.headers.get('cache-control'), await response.text()]).toEqual([
        200,
        'text/html; charset=utf-8',
        'no-cache',
        INDEX,
      ]);
    }
    const script = await fetch(`${base}/assets/app-1a2b3c.js`);
    expect([script.headers.get('content-type'), script.headers.get('cache-control'), await script.text()]).toEqual([
      'text/javascript; charset=utf-8',
      'public, max-age=31536000, immutable',
      'console.log(1)',
    ]);
    expect((await fetch(`${base}/assets/app-1a2b3c.css`)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    const head = await fetch(`${base}/`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-length')]).toEqual([200, String(INDEX.length)]);
    expect(head.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('answers 404 for a missing file and never reads outside dist', async () => {
    const base = await serve(join(root, 'dist'));
    expect((await fetch(`${base}/assets/gone.js`)).status).toBe(404);
    for (const path of ['/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2e%2e%2fsecret.txt', '/%00.js']) {
      const response = await fetch(`${base}${path}`);
      expect(response.status, path).toBe(404);
      expect(await response.text()).not.toContain('outside dist');
    }
  });

  it('says how to build the dashboard when dist is missing', async () => {
    const base = await serve(join(root, 'nothing-here'));
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(503);
    expect(await response.text()).toContain('npm run build:dashboard');
  });
});
