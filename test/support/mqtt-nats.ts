/**
 * A private nats-server with JetStream and MQTT on free ports, for tests of the MQTT ingest
 * path. MQTT needs a server_name and JetStream, which only a config file can give together.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { freePort, NATS_SERVER_BIN, waitFor } from './processes.ts';

export class MqttNatsServer {
  private child: ChildProcess | undefined;
  private output = '';
  readonly dir = mkdtempSync(join(tmpdir(), 'nats-mqtt-'));

  private constructor(
    readonly port: number,
    readonly mqttPort: number,
  ) {
    writeFileSync(
      join(this.dir, 'nats.conf'),
      [
        `server_name: test-mqtt-${port}`,
        `listen: 127.0.0.1:${port}`,
        `jetstream { store_dir: "${join(this.dir, 'js')}" }`,
        `mqtt { listen: 127.0.0.1:${mqttPort} }`,
        '',
      ].join('\n'),
    );
  }

  static async start(): Promise<MqttNatsServer> {
    const server = new MqttNatsServer(await freePort(), await freePort());
    await server.restart();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  get mqttUrl(): string {
    return `mqtt://127.0.0.1:${this.mqttPort}`;
  }

  /** What the server printed (it logs to stderr): refused MQTT topics and the like. */
  log(): string {
    return this.output;
  }

  async restart(): Promise<void> {
    const child = spawn(NATS_SERVER_BIN, ['-c', join(this.dir, 'nats.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child = child;
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`nats-server exited with code ${child.exitCode}: ${this.output}`);
      const nc = await connect({ servers: this.url, reconnect: false, timeout: 500 });
      await nc.close();
      return this.output.includes(`Listening for MQTT clients on mqtt://127.0.0.1:${this.mqttPort}`);
    }, `nats-server with MQTT on ${this.port}/${this.mqttPort}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
