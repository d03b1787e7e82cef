import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.ts';
import { createLogger } from './log.ts';
import { createRegistry, metricsPortVar, runReadiness, startOpsServer } from './metrics.ts';

describe('runReadiness', () => {
  it('is ready when every check passes, and names each failing check with its reason', async () => {
    expect(await runReadiness({ a: async () => undefined, b: async () => undefined })).toEqual({ ok: true, checks: { a: 'ok', b: 'ok' } });
    const result = await runReadiness({
      fine: async () => undefined,
      refused: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      },
      behind: async () => 'lag 12 events',
      hanging: () => new Promise(() => undefined),
    }, 50);
    expect(result).toEqual({ ok: false, checks: { fine: 'ok', refused: 'connect ECONNREFUSED 127.0.0.1:5432', behind: 'lag 12 events', hanging: 'no answer within 50 ms' } });
  });
});

describe('startOpsServer', () => {
  const logger = createLogger('test', 'silent');
  const ready = async () => ({ ok: false, checks: { nats: 'connection closed' } });

  it('serves /healthz, /readyz (503 naming the failing check) and /metrics', async () => {
    const server = await startOpsServer({ port: 0, host: '127.0.0.1', registry: createRegistry(), readiness: ready, logger, portVariable: 'X_PORT' });
    const base = `http://127.0.0.1:${server.port}`;
    try {
      expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
      const readyz = await fetch(`${base}/readyz`);
      expect(readyz.status).toBe(503);
      expect(await readyz.json()).toEqual({ status: 'not ready', checks: { nats: 'connection closed' } });
      const metrics = await fetch(`${base}/metrics`);
      expect(metrics.headers.get('content-type')).toContain('text/plain');
      expect(await metrics.text()).toContain('process_cpu_seconds_total');
      expect((await fetch(`${base}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('refuses a port it cannot have with a configuration error naming the variable', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const attempt = startOpsServer({ port, host: '127.0.0.1', registry: createRegistry(), readiness: ready, logger, portVariable: 'PROJECTOR_METRICS_PORT' });
      await expect(attempt).rejects.toBeInstanceOf(ConfigError);
      await expect(attempt).rejects.toThrow(`Invalid environment variable PROJECTOR_METRICS_PORT: expected a port this process may listen on (EADDRINUSE), got "${port}"`);
    } finally {
      taken.close();
    }
  });
});

describe('metricsPortVar', () => {
  it('takes a port, 0 or off, and nothing else', () => {
    const spec = metricsPortVar(0);
    expect(['4001', '0', 'off', '65535'].map(spec.parse)).toEqual([4001, 0, 'off', 65535]);
    expect(['65536', '-1', '4001x', ''].map(spec.parse)).toEqual([undefined, undefined, undefined, undefined]);
  });
});
