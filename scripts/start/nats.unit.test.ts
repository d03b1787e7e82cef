import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redactNatsUrl } from '../../schema/src/redact.ts';
import { findNatsServer, localAddress, natsConfig, portUnavailable } from './nats.ts';

describe('localAddress', () => {
  it('gives the host and port a private server must listen on for a local NATS_URL', () => {
    expect(localAddress('nats://127.0.0.1:14222')).toEqual({ host: '127.0.0.1', port: 14222 });
    expect(localAddress('nats://localhost')).toEqual({ host: '127.0.0.1', port: 4222 });
    expect(localAddress('nats://[::1]:4333')).toEqual({ host: '::1', port: 4333 });
  });

  it('gives nothing for a remote server or a list of servers, where a private server would not be the one asked for', () => {
    expect(localAddress('nats://nats.example.com:4222')).toBeNull();
    expect(localAddress('nats://127.0.0.1:4222,nats://127.0.0.1:4223')).toBeNull();
  });
});

describe('findNatsServer', () => {
  const dir = mkdtempSync(join(tmpdir(), 'find-nats-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds an executable nats-server on PATH before the usual system directories', () => {
    const binary = join(dir, 'nats-server');
    writeFileSync(binary, '#!/bin/sh\n');
    chmodSync(binary, 0o755);
    expect(findNatsServer(`/nonexistent:${dir}`)).toBe(binary);
  });

  it('skips a nats-server that is not executable', () => {
    const other = mkdtempSync(join(dir, 'plain-'));
    writeFileSync(join(other, 'nats-server'), 'not a program');
    expect(findNatsServer(other)).not.toBe(join(other, 'nats-server'));
  });
});

describe('redactNatsUrl', () => {
  it('hides a password or a token and leaves a plain URL alone', () => {
    expect(redactNatsUrl('nats://app:secret@127.0.0.1:4222')).toBe('nats://app:***@127.0.0.1:4222');
    expect(redactNatsUrl('nats://s3cr3t-token@nats.example.com:4222')).toBe('nats://***@nats.example.com:4222');
    expect(redactNatsUrl('nats://127.0.0.1:4222,nats://127.0.0.1:4223')).toBe('nats://127.0.0.1:4222,nats://127.0.0.1:4223');
  });
});

describe('natsConfig', () => {
  const files = { address: { host: '127.0.0.1', port: 14222 }, storeDir: '/data/nats', logFile: '/data/nats.log' };

  it('gives the private server a name, JetStream and MQTT, which MQTT needs together', () => {
    const config = natsConfig({ ...files, mqttPort: 11883 });
    expect(config).toContain('server_name: "sensors-dev"');
    expect(config).toContain('host: "127.0.0.1"\nport: 14222');
    expect(config).toContain('jetstream { store_dir: "/data/nats" }');
    expect(config).toContain('mqtt { host: "127.0.0.1", port: 11883 }');
    expect(config).toContain('log_file: "/data/nats.log"');
  });

  it('leaves MQTT out when it has no port', () => {
    expect(natsConfig({ ...files, mqttPort: null })).not.toMatch(/^mqtt/m);
  });
});

describe('portUnavailable', () => {
  it('says a port another server listens on is taken, and a free one is not', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      expect(await portUnavailable('127.0.0.1', port)).toBe(`port ${port} is taken`);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
    expect(await portUnavailable('127.0.0.1', port)).toBeNull();
  });
});
