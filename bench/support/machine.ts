/** The machine and versions a benchmark ran on, for the report. */
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import type { NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  natsServer: string;
  /** 1-minute load average when the run started: other work on the machine skews the figures. */
  loadAtStart: number;
}

function osName(): string {
  try {
    const pretty = readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)"?/m)?.[1];
    return `${pretty ?? 'Linux'}, kernel ${release()}`;
  } catch {
    return `kernel ${release()}`;
  }
}

export async function describeMachine(db: pg.Pool, nc: NatsConnection): Promise<Machine> {
  const all = cpus();
  const version = await db.query<{ server_version: string }>('SHOW server_version');
  return {
    cpu: all[0]?.model.trim() ?? 'unknown',
    cores: all.length,
    memoryGiB: totalmem() / 1024 ** 3,
    os: osName(),
    node: process.version,
    postgres: version.rows[0]?.server_version ?? 'unknown',
    natsServer: nc.info?.version ?? 'unknown',
    loadAtStart: loadavg()[0] ?? 0,
  };
}

export function machineLines(m: Machine): string[] {
  return [
    `CPU: ${m.cpu} × ${m.cores}; memory ${m.memoryGiB.toFixed(1)} GiB; ${m.os}`,
    `Node ${m.node}; PostgreSQL ${m.postgres}; nats-server ${m.natsServer}`,
    `Load average (1 min) at start: ${m.loadAtStart.toFixed(2)}`,
  ];
}
