/**
 * The processes of a subscriptions run, each started as in production (node --import
 * tsx <entry>) and registered with the cleanup: the API, the simulator, the load
 * processes that hold the subscriptions, and optionally the projector.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StreamNames } from '../../schema/src/subjects.ts';
import { startChild, type Child } from '../support/children.ts';
import type { Cleanup } from '../support/cleanup.ts';
import { ensureFdLimit, type FdLimit } from '../support/fd-limit.ts';
import { freePort } from '../support/free-port.ts';
import type { BenchEnv } from '../support/isolated.ts';
import type { Plan } from './plan.ts';
import { parseStatus, type Device, type LoadConfig, type LoadResult, type LoadStatus } from './protocol.ts';
import { parseSimulatorStats, type SimulatorStats } from '../support/simulator-stats.ts';

/** File descriptors a process needs besides its sockets (modules, NATS, Postgres, pipes). */
const FD_HEADROOM = 512;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Api {
  child: Child;
  port: number;
  token: string;
  fds: FdLimit | null;
  /** API log lines saying a slow subscriber was cut off. */
  cutOffs(): number;
}

async function waitForHealth(url: string, child: Child, timeoutMs: number): Promise<void> {
  const started = performance.now();
  for (;;) {
    if (!child.running()) throw new Error(`the API exited at start:\n${child.tail()}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (performance.now() - started > timeoutMs) throw new Error(`the API did not answer /healthz in ${timeoutMs / 1000} s:\n${child.tail()}`);
    await sleep(100);
  }
}

async function login(graphqlUrl: string, username: string, password: string): Promise<string> {
  const response = await fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'mutation ($u: String!, $p: String!) { login(username: $u, password: $p) { accessToken } }', variables: { u: username, p: password } }),
  });
  const body = (await response.json()) as { data?: { login?: { accessToken: string } }; errors?: unknown };
  const token = body.data?.login?.accessToken;
  if (!token) throw new Error(`login failed: ${JSON.stringify(body.errors ?? body)}`);
  return token;
}

/** The API on a free port with a bootstrap admin, once it answers /healthz; logged in as that admin. */
export async function startApi(env: BenchEnv, names: StreamNames, cleanup: Cleanup, plan: Plan, connections: number, profileDir: string | null): Promise<Api> {
  const port = await freePort();
  const admin = { username: 'bench', password: randomBytes(12).toString('hex') };
  let cutOffs = 0;
  const child = startChild('api', 'api/src/main.ts', {
    env: {
      ...env.childEnv(names),
      PORT: String(port),
      JWT_SECRET: randomBytes(32).toString('hex'),
      ADMIN_USERNAME: admin.username,
      ADMIN_PASSWORD: admin.password,
      // Cheap hashing: the one login of the run is not what is measured.
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
      ACCESS_TOKEN_TTL_SECONDS: '86400',
      // Every load socket comes from this machine's address: no per-address cap on live connections.
      MAX_LIVE_CONNECTIONS_PER_ADDRESS: '0',
      LOG_LEVEL: 'warn',
    },
    execArgv: [...plan.apiNodeFlags, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [])],
    onLine: (line) => {
      if (line.includes('slow subscriber cut off')) cutOffs++;
    },
  });
  cleanup.defer('stop the API', () => child.stop().then(() => undefined));
  const fds = ensureFdLimit(child.pid, connections + FD_HEADROOM);
  await waitForHealth(`http://127.0.0.1:${port}/healthz`, child, 60_000);
  const token = await login(`http://127.0.0.1:${port}/graphql`, admin.username, admin.password);
  return { child, port, token, fds, cutOffs: () => cutOffs };
}


export interface Simulator {
  child: Child;
  /** Its latest counters (the last at shutdown). */
  stats(): SimulatorStats | null;
}

/** The simulator with the plan's devices, seed and interval, once its first reading is in the stream. */
export async function startSimulator(env: BenchEnv, names: StreamNames, cleanup: Cleanup, plan: Plan, readHead: () => Promise<number>): Promise<Simulator> {
  let stats: SimulatorStats | null = null;
  const child = startChild('simulator', 'simulator/src/main.ts', {
    env: { ...env.childEnv(names), LOG_LEVEL: 'info' },
    args: ['--type', plan.sensorType, '--devices', String(plan.devices), '--seed', String(plan.seed), '--benchmark-interval-ms', String(plan.intervalMs)],
    onLine: (line) => (stats = parseSimulatorStats(line) ?? stats),
  });
  cleanup.defer('stop the simulator', () => child.stop().then(() => undefined));
  const started = performance.now();
  while ((await readHead()) === 0) {
    if (!child.running()) throw new Error(`the simulator exited at start:\n${child.tail()}`);
    if (performance.now() - started > 60_000) throw new Error(`no reading reached the stream in 60 s:\n${child.tail()}`);
    await sleep(50);
  }
  return { child, stats: () => stats };
}

export function startProjector(env: BenchEnv, names: StreamNames, cleanup: Cleanup): Child {
  const child = startChild('projector', 'projector/src/main.ts', { env: env.childEnv(names) });
  cleanup.defer('stop the projector', () => child.stop().then(() => undefined));
  return child;
}

export interface Loads {
  children: Child[];
  fds: Array<FdLimit | null>;
  /** The latest status line of every load process, summed. */
  status(t: number): LoadStatus;
  /** Tells every load process to stop and returns what each received. */
  collect(): Promise<LoadResult[]>;
}

function sumStatus(statuses: Array<LoadStatus | undefined>, t: number): LoadStatus {
  const total: LoadStatus = { t, subscribed: 0, connected: 0, closed: 0, live: 0, received: 0, failed: 0, baselineReceived: 0 };
  for (const s of statuses) {
    if (!s) continue;
    for (const key of ['subscribed', 'connected', 'closed', 'live', 'received', 'failed', 'baselineReceived'] as const) total[key] += s[key];
  }
  return total;
}

/**
 * The load processes, each holding a contiguous slice of whole connections; the first
 * also reads the readings straight from JetStream for the latency floor.
 */
export function startLoads(env: BenchEnv, names: StreamNames, cleanup: Cleanup, plan: Plan, api: Api, assigned: readonly Device[], work: string): Loads {
  const connections = Math.ceil(plan.subscriptions / plan.perConnection);
  const perProcess = Math.ceil(connections / plan.loadProcesses) * plan.perConnection;
  const statuses: Array<LoadStatus | undefined> = [];
  const children: Child[] = [];
  const fds: Array<FdLimit | null> = [];
  const resultFiles: string[] = [];
  for (let p = 0, first = 0; first < plan.subscriptions; p++, first += perProcess) {
    const end = Math.min(plan.subscriptions, first + perProcess);
    const resultFile = join(work, `result-${p}.json`);
    const config: LoadConfig = {
      url: `ws://127.0.0.1:${api.port}/graphql`,
      token: api.token,
      subscriptions: assigned.slice(first, end).map((device, i) => ({ index: first + i, device })),
      perConnection: plan.perConnection,
      rampPerSecond: plan.rampPerSecond / plan.loadProcesses,
      maxPendingConnections: Math.max(1, Math.floor(plan.maxPending / plan.loadProcesses)),
      baseline: p === 0 ? { natsUrl: env.natsUrl, stream: names.stream, subject: `${names.prefix}.reading.>` } : null,
      resultFile,
    };
    const configFile = join(work, `load-${p}.json`);
    writeFileSync(configFile, JSON.stringify(config));
    const child = startChild(`load-${p}`, 'bench/subscriptions/load.ts', {
      // Names the run's stream, so a leftover process can be traced to it.
      env: { BENCH_STREAM: names.stream },
      args: [configFile],
      onLine: (line) => {
        const status = parseStatus(line);
        if (status) statuses[p] = status;
      },
    });
    cleanup.defer(`stop load process ${p}`, () => child.stop(2000).then(() => undefined));
    fds.push(ensureFdLimit(child.pid, Math.ceil((end - first) / plan.perConnection) + FD_HEADROOM));
    children.push(child);
    resultFiles.push(resultFile);
  }
  return {
    children,
    fds,
    status: (t) => sumStatus(statuses, t),
    async collect() {
      const results: LoadResult[] = [];
      for (const [i, child] of children.entries()) {
        child.child.kill('SIGTERM');
        const code = await child.exited;
        if (code !== 0) throw new Error(`${child.name} exited with ${code}:\n${child.tail()}`);
        results.push(JSON.parse(readFileSync(resultFiles[i]!, 'utf8')) as LoadResult);
      }
      return results;
    },
  };
}
