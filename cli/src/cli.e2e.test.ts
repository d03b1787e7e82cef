/**
 * sensorctl run as a subprocess (through its bin) against a started stack: a real API and
 * projector on an isolated database and stream, and a real simulator whose devices start
 * unassigned. Access tokens live 30 s, inside the CLI's 30 s refresh margin, so every
 * invocation of a logged-in command refreshes its token through the stored login.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../api/src/app.ts';
import { loadApiEnv } from '../../api/src/config.ts';
import { createLogger } from '../../schema/src/log.ts';
import { createApiKey, login, PASSWORD, register } from '../../test/support/accounts.ts';
import { FAST_ARGON2, startApiStack, TEST_JWT_SECRET, type ApiStack } from '../../test/support/api.ts';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { publishEvents, reading, T0 } from '../../test/support/events.ts';
import { freePort, startService, waitFor, type ServiceProcess } from '../../test/support/processes.ts';
import { runCli, startCli, type CliOptions } from './support.ts';

let env: TestEnv;
let api: ApiStack;
let port: number;
/** The API serving now: the stack's, or the one started in its place by the tail test. */
let serving: App;
let simulator: ServiceProcess;
const dirs: string[] = [];
let admin: CliOptions;
let alice: CliOptions;

const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'sensorctl-'));
  dirs.push(dir);
  return join(dir, 'config');
};
const asAdmin = (...args: string[]) => runCli(args, admin);
const asAlice = (...args: string[]) => runCli(args, alice);
/** The cells of a table row (numbers are right-aligned, so a row may start with spaces). */
const cells = (line: string) => line.trim().split(/\s+/);
const rows = (stdout: string) => stdout.trimEnd().split('\n').slice(1).map(cells);
const at = (minute: number) => new Date(T0 + minute * 60_000).toISOString().replace('.000Z', 'Z');

interface ListedReading {
  id: string;
  value: number;
  deviceCode: string;
  deviceNumber: number;
  version: number;
  updatedBy: string | null;
}

async function publish(events: ReturnType<typeof reading>[]): Promise<number[]> {
  const sequences = await publishEvents(jetstream(env.nc), env.names, events);
  await api.projector.waitFor(sequences.at(-1)!, 10_000);
  return sequences;
}

function apiEnv() {
  return loadApiEnv({ ...env.env, PORT: String(port), JWT_SECRET: TEST_JWT_SECRET, DATA_DIR: `/tmp/${env.id}`, ...FAST_ARGON2, ACCESS_TOKEN_TTL_SECONDS: '30' });
}

beforeAll(async () => {
  env = await createTestEnv();
  port = await freePort();
  api = await startApiStack(env, { PORT: String(port), ACCESS_TOKEN_TTL_SECONDS: '30' });
  serving = api.app;
  simulator = startService('simulator/src/main.ts', { ...env.env, SIMULATOR_METRICS_PORT: 'off' }, ['--type', 'co2', '--devices', '2', '--unassigned', '--seed', '7']);
  await register(api.gql, 'root');
  await register(api.gql, 'alice');
  admin = { url: `http://localhost:${port}`, configDir: tempDir() };
  alice = { url: `http://localhost:${port}`, configDir: tempDir() };
  const logins = await Promise.all([
    runCli(['login', '--username', 'root', '--password-stdin'], { ...admin, stdin: `${PASSWORD}\n` }),
    runCli(['login', '--username', 'alice', '--password-stdin'], { ...alice, stdin: `${PASSWORD}\n` }),
  ]);
  for (const login of logins) expect(login, login.stderr).toMatchObject({ code: 0 });
  await publish([
    ...[1, 2, 3, 4, 5].map((i) => reading({ deviceCode: 'CLI', deviceNumber: 1, value: 10 + i, at: T0 + i * 60_000, seq: i })),
    reading({ deviceCode: 'CLI', deviceNumber: 2, sensorType: 'humidity', value: 55, at: T0 + 60_000, seq: 1 }),
  ]);
});

afterAll(async () => {
  await simulator?.kill();
  await api?.projector.stop();
  await serving?.stop();
  await env?.cleanup();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('sensorctl, usage', () => {
  it('explains itself, exits 0 for help and 2 for a bad command line, 3 when not logged in', async () => {
    const anonymous = { url: admin.url, configDir: tempDir() };
    const [help, listHelp, typo, badNumber, notLoggedIn] = await Promise.all([
      runCli(['--help'], anonymous),
      runCli(['readings', 'list', '--help'], anonymous),
      runCli(['readings', 'lst'], anonymous),
      runCli(['readings', 'list', '--device-number', 'seven'], anonymous),
      runCli(['readings', 'list'], anonymous),
    ]);
    expect(help.code).toBe(0);
    for (const command of ['login', 'logout', 'readings', 'devices', 'sims', 'tail', 'events']) expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(help.stdout).toContain('3  not logged in');
    expect(listHelp).toMatchObject({ code: 0, stderr: '' });
    expect(listHelp.stdout).toContain('--device-number <number>');
    expect(typo).toMatchObject({ code: 2, stdout: '' });
    expect(typo.stderr).toContain("unknown command 'lst'");
    expect(typo.stderr).toContain('Did you mean list?');
    expect(badNumber).toMatchObject({ code: 2, stdout: '' });
    expect(badNumber.stderr).toBe(`sensorctl: option '-n, --device-number <number>' argument 'seven' is invalid. expected a whole number, got "seven"\n`);
    expect(notLoggedIn).toMatchObject({ code: 3, stdout: '' });
    expect(notLoggedIn.stderr).toBe(`sensorctl: not logged in to ${admin.url}: run \`sensorctl login --url ${admin.url}\` (or set SENSORCTL_API_KEY)\n`);
  });
});

describe('sensorctl login', () => {
  it('keeps the login in a config file only its owner may read, and never the password', async () => {
    const dir = admin.configDir;
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, 'config.json')).mode & 0o777).toBe(0o600);
    const text = readFileSync(join(dir, 'config.json'), 'utf8');
    expect(text).not.toContain(PASSWORD);
    const config = JSON.parse(text) as { current: string; servers: Record<string, { kind: string; username: string; refreshToken: string }> };
    expect(config.current).toBe(admin.url);
    expect(config.servers[admin.url]).toMatchObject({ kind: 'session', username: 'root', refreshToken: expect.any(String) });
    const whoami = await asAdmin('whoami');
    expect(whoami).toMatchObject({ code: 0, stdout: `root (ADMIN) at ${admin.url}\n` });
  });

  it('refuses a wrong password with exit code 3, and asks for --password-stdin without a terminal', async () => {
    const elsewhere = { url: admin.url, configDir: tempDir() };
    const [wrong, noTerminal] = await Promise.all([
      runCli(['login', '--username', 'alice', '--password-stdin'], { ...elsewhere, stdin: 'not the password\n' }),
      runCli(['login', '--username', 'alice'], elsewhere),
    ]);
    expect(wrong).toMatchObject({ code: 3, stdout: '', stderr: 'sensorctl: invalid username or password\n' });
    expect(noTerminal.code).toBe(2);
    expect(noTerminal.stderr).toContain('pass it on stdin with --password-stdin');
    expect(() => statSync(join(elsewhere.configDir, 'config.json'))).toThrow();
  });

  it('lets invocations running at once share one login: refreshes wait for each other instead of spending a refresh token twice', async () => {
    // Every invocation refreshes (30 s tokens); a refresh token presented twice would end the login.
    const results = await Promise.all([1, 2, 3, 4].map(() => asAlice('whoami', '--json')));
    for (const result of results) expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(results.map((r) => (JSON.parse(r.stdout) as { username: string }).username)).toEqual(['alice', 'alice', 'alice', 'alice']);
    expect(await asAlice('whoami')).toMatchObject({ code: 0, stdout: `alice (USER) at ${alice.url}\n` });
  });

  it('logs in with an API key (from stdin), or uses SENSORCTL_API_KEY, and exits 3 for a key the server refuses', async () => {
    const { accessToken } = (await api.gql<{ login: { accessToken: string } }>('mutation { login(username: "root", password: "correct horse battery staple") { accessToken } }')).data!.login;
    const { key } = await createApiKey(api.gql, accessToken, 'USER', 'cli test key');
    const keyed = { url: admin.url, configDir: tempDir() };
    const login = await runCli(['login', '--api-key-stdin'], { ...keyed, stdin: `${key}\n` });
    expect(login).toMatchObject({ code: 0, stderr: `logged in to ${admin.url} as root (API key)\n` });
    expect(readFileSync(join(keyed.configDir, 'config.json'), 'utf8')).toContain(key);
    const [whoami, fromEnv, refused] = await Promise.all([
      runCli(['whoami'], keyed),
      // The key's USER role applies, not its owner's ADMIN role.
      runCli(['readings', 'delete', '--device', 'CLI-1'], { url: admin.url, configDir: tempDir(), env: { SENSORCTL_API_KEY: key } }),
      runCli(['readings', 'list'], { url: admin.url, configDir: tempDir(), env: { SENSORCTL_API_KEY: 'sk_not_a_key' } }),
    ]);
    expect(whoami).toMatchObject({ code: 0, stdout: `root (API key) at ${admin.url}\n` });
    expect(fromEnv).toMatchObject({ code: 4, stderr: 'sensorctl: the user role may not delete readings\n' });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^sensorctl: .+ \(run `sensorctl login` for http:\/\/localhost:\d+\)\n$/);
  });
});

describe('sensorctl readings', () => {
  it('lists readings as a table, filtered, a page at a time, and as JSON', async () => {
    const [table, json] = await Promise.all([
      asAdmin('readings', 'list', '--device', 'CLI-1', '--limit', '2'),
      asAdmin('readings', 'list', '--device-code', 'CLI', '--sensor-type', 'humidity', '--json'),
    ]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TIMESTAMP\s+TYPE\s+VALUE\s+DEVICE\s+VERSION\s+UPDATED BY$/);
    expect(rows(table.stdout).map((r) => r.slice(1))).toEqual([
      [at(5), 'temperature', '15', 'CLI-1', '0', '-'],
      [at(4), 'temperature', '14', 'CLI-1', '0', '-'],
    ]);
    const next = /--after (\S+)/.exec(table.stderr);
    expect(table.stderr).toMatch(/^2 of 5 readings; next page: --after \S+\n$/);

    const page2 = await asAdmin('readings', 'list', '--device', 'CLI-1', '--limit', '2', '--after', next![1]!, '--json');
    expect((JSON.parse(page2.stdout) as { readings: ListedReading[] }).readings.map((r) => r.value)).toEqual([13, 12]);
    const numbered = await asAdmin('readings', 'list', '--device', 'CLI-1', '--limit', '2', '--page', '3', '--order', 'oldest');
    expect(rows(numbered.stdout).map((r) => r[3])).toEqual(['15']);
    expect(numbered.stderr).toBe('page 3: readings 5–5 of 5\n');

    const parsed = JSON.parse(json.stdout) as { totalCount: number; readings: ListedReading[] };
    expect(parsed.totalCount).toBe(1);
    expect(parsed.readings).toMatchObject([{ value: 55, deviceCode: 'CLI', deviceNumber: 2, sensorType: 'humidity', timestamp: at(1) }]);
  });

  it('fetches a page longer than one request allows in several, and --all follows every cursor', async () => {
    await publish(Array.from({ length: 120 }, (_, i) => reading({ deviceCode: 'BULK', deviceNumber: 1, value: i, at: T0 + i * 1000, seq: i + 1 })));
    const [hundred, all, page] = await Promise.all([
      asAdmin('readings', 'list', '--device-code', 'BULK', '--limit', '100', '--json'),
      asAdmin('readings', 'list', '--device-code', 'BULK', '--all', '--order', 'oldest', '--json'),
      asAdmin('readings', 'list', '--device-code', 'BULK', '--limit', '60', '--page', '2', '--json'),
    ]);
    const values = (r: { stdout: string }) => (JSON.parse(r.stdout) as { readings: ListedReading[] }).readings.map((x) => x.value);
    expect(values(hundred)).toEqual(Array.from({ length: 100 }, (_, i) => 119 - i));
    expect(values(all)).toEqual(Array.from({ length: 120 }, (_, i) => i));
    expect(values(page)).toEqual(Array.from({ length: 60 }, (_, i) => 59 - i));
  });

  it('passes on the rules of the server as usage errors, naming what is wrong', async () => {
    const [reversed, badTime, badType, noFilter, noChange] = await Promise.all([
      asAdmin('readings', 'list', '--from', '2026-02-01T00:00:00Z', '--to', '2026-01-01T00:00:00Z'),
      asAdmin('readings', 'list', '--from', 'yesterday'),
      asAdmin('readings', 'list', '--sensor-type', 'radiation'),
      asAdmin('readings', 'edit', '--set-value', '1'),
      asAdmin('readings', 'edit', '--device', 'CLI-1'),
    ]);
    expect(reversed).toMatchObject({ code: 2, stdout: '', stderr: 'sensorctl: start time cannot be greater than end time\n' });
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain("option '--from <time>' argument 'yesterday' is invalid");
    expect(badType).toMatchObject({ code: 2, stderr: 'sensorctl: sensorType must be one of temperature, humidity, pressure, co2, light\n' });
    expect(noFilter).toMatchObject({ code: 2, stderr: 'sensorctl: at least one filter is required for update\n' });
    expect(noChange).toMatchObject({ code: 2, stderr: 'sensorctl: at least one field to update must be provided\n' });
  });

  it('edits, deletes and restores readings; a user may edit but not delete (exit code 4)', async () => {
    const edit = await asAlice('readings', 'edit', '--device', 'CLI-1', '--from', at(4), '--set-value', '0');
    expect(edit).toMatchObject({ code: 0, stdout: expect.stringMatching(/^updated 2 readings \(change \d+\)\n$/) });
    const edited = JSON.parse((await asAdmin('readings', 'list', '--device', 'CLI-1', '--json')).stdout) as { readings: ListedReading[] };
    expect(edited.readings.map((r) => [r.value, r.version, r.updatedBy])).toEqual([
      [0, 1, 'alice'],
      [0, 1, 'alice'],
      [13, 0, null],
      [12, 0, null],
      [11, 0, null],
    ]);

    const denied = await asAlice('readings', 'delete', '--device', 'CLI-1');
    expect(denied).toMatchObject({ code: 4, stdout: '', stderr: 'sensorctl: the user role may not delete readings\n' });

    const deleted = await asAdmin('readings', 'delete', '--device', 'CLI-1', '--to', at(2), '--json');
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ affected: 2, sequence: expect.any(String), commandId: expect.any(String) });
    const [remaining, inBin] = await Promise.all([
      asAdmin('readings', 'list', '--device', 'CLI-1', '--json'),
      asAdmin('readings', 'list', '--device', 'CLI-1', '--deleted'),
    ]);
    expect((JSON.parse(remaining.stdout) as { totalCount: number }).totalCount).toBe(3);
    expect(inBin.stdout).toMatch(/^ID\s+TIMESTAMP\s+TYPE\s+VALUE\s+DEVICE\s+VERSION\s+DELETED AT\s+DELETED BY\n/);
    expect(rows(inBin.stdout).map((r) => [r[3], r.at(-1)])).toEqual([
      ['12', 'root'],
      ['11', 'root'],
    ]);

    const restored = await asAdmin('readings', 'restore', '--device', 'CLI-1');
    expect(restored).toMatchObject({ code: 0, stdout: expect.stringMatching(/^restored 2 readings/) });
    expect((JSON.parse((await asAdmin('readings', 'list', '--device', 'CLI-1', '--json')).stdout) as { totalCount: number }).totalCount).toBe(5);
  });
});

describe('sensorctl events', () => {
  it('shows who changed what, from the stream, to admins only', async () => {
    const [table, json, denied, status] = await Promise.all([
      asAdmin('events', '--device', 'CLI-1', '--type', 'ReadingsEdited,ReadingsDeleted'),
      asAdmin('events', '--actor', 'alice', '--json'),
      asAlice('events'),
      asAlice('status', '--json'),
    ]);
    const head = (await (await jetstreamManager(env.nc)).streams.info(env.names.stream)).state.last_seq;
    expect(JSON.parse(status.stdout)).toMatchObject({ server: alice.url, streamName: env.names.stream, deadLetters: 0 });
    expect(Number((JSON.parse(status.stdout) as { streamHead: string }).streamHead)).toBeLessThanOrEqual(head);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^SEQ\s+TIME\s+TYPE\s+ACTOR\s+DATA\n/);
    expect(rows(table.stdout).map((r) => r.slice(2, 4))).toEqual([
      ['ReadingsEdited', 'alice'],
      ['ReadingsDeleted', 'root'],
    ]);
    expect(table.stderr).toBe('2 events\n');
    const events = json.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { type: string; actor: string; data: { changes?: unknown } });
    expect(events.map((e) => [e.type, e.actor, e.data.changes])).toEqual([['ReadingsEdited', 'alice', { value: 0 }]]);
    expect(denied).toMatchObject({ code: 4, stderr: 'sensorctl: the user role may not read audit events\n' });
  });
});

describe('sensorctl devices and sims', () => {
  let root = { token: '', at: 0 };
  /** Polling goes through GraphQL directly: a CLI run per poll would only slow the test down. */
  async function rootGql<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    if (Date.now() - root.at > 20_000) root = { token: (await login(api.gql, 'root')).accessToken, at: Date.now() };
    if (simulator.child.exitCode !== null) throw new Error(`the simulator exited: ${simulator.output()}`);
    const response = await api.gql<T>(query, variables, root.token);
    if (!response.data) throw new Error(JSON.stringify(response.errors));
    return response.data;
  }
  const name = (d: { deviceCode: string; deviceNumber: number }) => `${d.deviceCode}-${d.deviceNumber}`;

  it('lists the simulators, sets their interval, stops and starts them', async () => {
    const sim = await waitFor(async () => (await rootGql<{ simulators: { id: string }[] }>('{ simulators { id } }')).simulators[0], 'the simulator to answer', 30_000, 250);
    const table = await asAdmin('sims', 'list');
    expect(table.stdout).toMatch(new RegExp(`^ID\\s+TYPE\\s+RUNNING\\s+INTERVAL\\s+DEVICES\\s+PUBLISHED\\s+LAST ERROR\\n${sim.id}\\s+co2\\s+yes\\s+5s\\s+2\\s`));

    const [interval, tooShort, unknown, nothingNamed, denied] = await Promise.all([
      asAdmin('sims', 'interval', '10', sim.id),
      asAdmin('sims', 'interval', '3', '--all'),
      asAdmin('sims', 'stop', 'sim-co2-nope'),
      asAdmin('sims', 'stop'),
      asAlice('sims', 'list'),
    ]);
    expect(interval.code).toBe(0);
    expect(interval.stdout).toMatch(new RegExp(`${sim.id}\\s+co2\\s+yes\\s+10s`));
    expect(tooShort).toMatchObject({ code: 2, stderr: 'sensorctl: interval must be at least 5 seconds\n' });
    expect(unknown).toMatchObject({ code: 5, stderr: 'sensorctl: no simulator with id "sim-co2-nope" is running\n' });
    expect(nothingNamed.code).toBe(2);
    expect(nothingNamed.stderr).toContain('or pass --all');
    expect(denied).toMatchObject({ code: 4, stderr: 'sensorctl: the user role may not control simulators\n' });

    const stopped = await asAdmin('sims', 'stop', '--all', '--json');
    expect(stopped.code).toBe(0);
    expect(JSON.parse(stopped.stdout)).toMatchObject([{ id: sim.id, running: false, intervalSeconds: 10 }]);
    const started = await asAdmin('sims', 'start', sim.id);
    expect(started).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`${sim.id}\\s+co2\\s+yes\\s+10s`)) });
    await rootGql('mutation ($id: ID!) { setSimulatorInterval(id: $id, seconds: 5) { id } }', { id: sim.id });
  });

  it('lists devices awaiting a target, assigns one, and sends commands (admins only)', async () => {
    type Devices = { devices: { nodes: { deviceCode: string; deviceNumber: number }[] } };
    const waiting = await waitFor(async () => {
      const { nodes } = (await rootGql<Devices>('{ devices(filter: { status: AWAITING_TARGET }) { nodes { deviceCode deviceNumber } } }')).devices;
      return nodes.length === 2 ? nodes : undefined;
    }, 'two devices awaiting a target', 30_000, 250);
    const [first, second] = waiting.map(name);
    const table = await asAdmin('devices', 'list', '--status', 'awaiting-target');
    expect(table.stdout).toMatch(/^DEVICE\s+STATUS\s+TYPES\s+LAST SEEN\s+INTERVAL\s+READINGS\s+LOST\s+TARGET\n/);
    expect(rows(table.stdout).map((r) => r.join(' ')).sort()).toEqual([first, second].map((d) => `${d} awaiting-target co2 - 5s 0 0 -`).sort());

    const assigned = await asAdmin('devices', 'assign-target', first!, '--name', 'greenhouse', '--latitude', '52.1', '--longitude', '4.3');
    expect(assigned).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^${first} now measures greenhouse \\(52.1, 4.3\\) \\(change \\d+\\)\\n$`)) });
    // The simulator obeys: the device starts measuring and shows online.
    const [code, number] = [waiting[0]!.deviceCode, waiting[0]!.deviceNumber];
    await waitFor(
      async () => (await rootGql<{ device: { status: string } }>('query ($c: String!, $n: Int!) { device(deviceCode: $c, deviceNumber: $n) { status } }', { c: code, n: number })).device.status === 'ONLINE',
      `${first} to come online`,
      30_000,
      250,
    );
    const shown = await asAdmin('devices', 'show', first!);
    expect(shown.stdout).toMatch(new RegExp(`^${first}\\s+online\\s+co2\\s.*greenhouse \\(52.1, 4.3\\)$`, 'm'));
    expect(shown.stdout).toMatch(/^TYPE\s+VALUE\s+TIMESTAMP\s+ID\nco2\s/m);

    const [sleep, interval, missingSeconds, tooShort, unknown, badName, denied] = await Promise.all([
      asAdmin('devices', 'command', first!, 'sleep'),
      asAdmin('devices', 'command', second!, 'set-interval', '30'),
      asAdmin('devices', 'command', first!, 'set-interval'),
      asAdmin('devices', 'command', first!, 'set-interval', '3'),
      asAdmin('devices', 'command', 'QQ-1', 'sleep'),
      asAdmin('devices', 'command', 'QQ1', 'sleep'),
      asAlice('devices', 'command', first!, 'sleep'),
    ]);
    expect(sleep).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^${first} sleeps \\(change \\d+\\)\\n$`)) });
    expect(interval).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^${second} measures every 30s`)) });
    expect(missingSeconds.code).toBe(2);
    expect(missingSeconds.stderr).toContain('set-interval needs the seconds');
    expect(tooShort).toMatchObject({ code: 2, stderr: 'sensorctl: interval must be at least 5 seconds (and at most a day)\n' });
    expect(unknown).toMatchObject({ code: 5, stderr: 'sensorctl: no device QQ-1 has been seen\n' });
    expect(badName.code).toBe(2);
    expect(badName.stderr).toContain('device must be CODE-NUMBER');
    expect(denied).toMatchObject({ code: 4, stderr: 'sensorctl: the user role may not control devices\n' });

    const [sleeping, secondShown] = await Promise.all([asAdmin('devices', 'list', '--status', 'sleeping'), asAdmin('devices', 'show', second!, '--json')]);
    expect(rows(sleeping.stdout).map((r) => r.slice(0, 2))).toEqual([[first, 'sleeping']]);
    expect(JSON.parse(secondShown.stdout)).toMatchObject({ status: 'AWAITING_TARGET', intervalSeconds: 30 });
    const wake = await asAdmin('devices', 'command', first!, 'wake', '--json');
    expect(JSON.parse(wake.stdout)).toMatchObject({ applied: true, sequence: expect.any(String) });
  });
});

describe('sensorctl tail', () => {
  const lines = (text: string) => text.split('\n').filter((l) => l !== '');

  it('prints readings as they are recorded and carries on after the API restarts, with no gap and no duplicate', async () => {
    const jsm = await jetstreamManager(env.nc);
    const head = String((await jsm.streams.info(env.names.stream)).state.last_seq);
    const tail = startCli(['tail', '--device-code', 'TAIL', '--after', head, '--json'], admin);
    let stdout = '';
    let stderr = '';
    tail.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    tail.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => tail.once('exit', (code) => resolve(code)));
    const received = () => lines(stdout).map((l) => JSON.parse(l) as { sequence: string; value: number; deviceNumber: number });
    try {
      const before = await publish([1, 2, 3].map((i) => reading({ deviceCode: 'TAIL', deviceNumber: 1, value: i, at: T0 + i * 1000, seq: i })));
      await waitFor(() => received().length === 3, 'three readings from tail', 20_000);

      // The API goes away; readings keep arriving in the stream meanwhile; another API takes over.
      await serving.stop();
      await waitFor(() => stderr.includes('live feed interrupted'), 'tail to notice the API is gone', 20_000);
      const during = await publish([4, 5, 6].map((i) => reading({ deviceCode: 'TAIL', deviceNumber: 1, value: i, at: T0 + i * 1000, seq: i })));
      serving = await buildApp({ env: apiEnv(), logger: createLogger('api-test', process.env.TEST_LOG_LEVEL ?? 'silent') });
      await serving.start();
      await waitFor(() => received().length >= 6, 'tail to resume', 30_000);
      const after = await publish([reading({ deviceCode: 'TAIL', deviceNumber: 1, value: 7, at: T0 + 7000, seq: 7 })]);
      await waitFor(() => received().length >= 7, 'a reading after the resumption', 20_000);

      expect(received().map((r) => [r.sequence, r.value])).toEqual([...before, ...during, ...after].map((sequence, i) => [String(sequence), i + 1]));
      expect(stderr).toContain(`live feed resumed after ${before.at(-1)}`);

      tail.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stderr).toContain(`stopped; resume with --after ${after[0]}`);

      const resumed = await asAdmin('tail', '--device-code', 'TAIL', '--after', String(during[0]), '--count', '2');
      expect(resumed.code).toBe(0);
      expect(resumed.stdout.trimEnd().split('\n').map((l) => cells(l).slice(1))).toEqual([
        [String(during[1]), 'temperature', 'TAIL-1', '5'],
        [String(during[2]), 'temperature', 'TAIL-1', '6'],
      ]);
    } finally {
      if (tail.exitCode === null) tail.kill('SIGKILL');
    }
  });

  it('stops with the exit code of a refusal that reconnecting cannot cure', async () => {
    const refused = await asAdmin('tail', '--sensor-type', 'radiation');
    expect(refused).toMatchObject({ code: 2, stdout: '', stderr: 'sensorctl: sensorType must be one of temperature, humidity, pressure, co2, light\n' });
  });
});

describe('sensorctl logout', () => {
  it('revokes the stored refresh token and forgets the login', async () => {
    const file = join(admin.configDir, 'config.json');
    const stored = (JSON.parse(readFileSync(file, 'utf8')) as { servers: Record<string, { refreshToken: string }> }).servers[admin.url]!;
    expect(await asAdmin('logout')).toMatchObject({ code: 0, stderr: `logged out of ${admin.url}\n` });
    expect((JSON.parse(readFileSync(file, 'utf8')) as { servers: object }).servers).toEqual({});
    const refresh = await api.gql('mutation ($t: String!) { refreshToken(refreshToken: $t) { accessToken } }', { t: stored.refreshToken });
    expect(refresh.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const [after, again] = await Promise.all([asAdmin('whoami'), asAdmin('logout')]);
    expect(after.code).toBe(3);
    expect(again).toMatchObject({ code: 0, stderr: `not logged in to ${admin.url}\n` });
  });
});
