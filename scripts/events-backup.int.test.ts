/**
 * Backup and restore through `npm run events -- export|import` on a real nats-server and
 * Postgres: a stream with every kind of message (full events, a bare MQTT reading, a malformed
 * and a non-UTF-8 message, a purged start and a deleted message in the middle) is exported,
 * removed, imported, and rebuilt: the read model checksum is the original's.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rebuildReadModels } from '../projector/src/rebuild/rebuild.ts';
import type { DomainEvent } from '../schema/src/events.ts';
import { isNotFound } from '../schema/src/stream.ts';
import { createTestEnv, type TestEnv } from '../test/support/env.ts';
import { change, iso, publishEvents, publishRaw, reading, T0 } from '../test/support/events.ts';

const ROOT = new URL('..', import.meta.url).pathname;
let env: TestEnv;
let jsm: JetStreamManager;
let dir: string;
let original: { checksum: string; lines: string[] };
const seq: Record<string, number> = {};
/** Names the sequences of events published together. */
const name = (keys: string[], values: number[]) => keys.forEach((key, i) => (seq[key] = values[i]!));

/** `npm run events -- <args>` with stdin from a file (or nothing) and stdout to a file. */
async function runEvents(args: string[], io: { stdin?: string; stdout?: string } = {}): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/events.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env.env },
    stdio: [io.stdin ? openSync(io.stdin, 'r') : 'ignore', io.stdout ? openSync(io.stdout, 'w') : 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr };
}

const rebuild = () => rebuildReadModels({ databaseUrl: env.databaseUrl, names: env.names, batchSize: 500, maxFutureMs: 300_000 }, { nc: env.nc });
const streamState = async () => (await jsm.streams.info(env.names.stream)).state;
const messageLines = (file: string) => readFileSync(file, 'utf8').trim().split('\n').slice(1, -1);

async function streamExists(): Promise<boolean> {
  return jsm.streams.info(env.names.stream).then(
    () => true,
    (error: unknown) => {
      if (isNotFound(error)) return false;
      throw error;
    },
  );
}

const device = (type: 'DeviceAnnounced' | 'DeviceCommandIssued'): DomainEvent =>
  type === 'DeviceAnnounced'
    ? { type, version: 1, id: randomUUID(), occurredAt: iso(T0), data: { deviceCode: 'D', deviceNumber: 1, sensorType: 'co2' } }
    : { type, version: 1, id: randomUUID(), occurredAt: iso(T0), actor: 'carol', data: { commandId: randomUUID(), deviceCode: 'A', deviceNumber: 1, command: 'SET_INTERVAL', intervalSeconds: 30 } };

beforeAll(async () => {
  env = await createTestEnv();
  jsm = await jetstreamManager(env.nc);
  dir = mkdtempSync(join(tmpdir(), 'events-backup-'));
  const js = jetstream(env.nc);
  const p = env.names.prefix;
  // A start that was purged: the stream begins at sequence 3.
  await publishEvents(js, env.names, [reading({ deviceCode: 'Z' }), reading({ deviceCode: 'Z', deviceNumber: 2 })]);
  await jsm.streams.purge(env.names.stream, { seq: 3 });
  const readings = Array.from({ length: 40 }, (_, i) =>
    reading({ deviceCode: i % 2 ? 'A' : 'B', deviceNumber: 1 + (i % 3), sensorType: i % 4 ? 'temperature' : 'humidity', value: 20 + i / 4, seq: i + 1, at: T0 + i * 60_000 }),
  );
  await publishEvents(js, env.names, readings.slice(0, 20));
  seq.bare = await publishRaw(js, `${p}.reading.humidity.A.1`, '{"value": 41.5, "seq": 90}');
  seq.malformed = await publishRaw(js, `${p}.reading.temperature.A.1`, '{"value": ');
  seq.binary = (await js.publish(`${p}.reading.temperature.A.2`, new Uint8Array([0xff, 0x00, 0xfe]))).seq;
  name(['deletedLater'], await publishEvents(js, env.names, [reading({ deviceCode: 'C' })]));
  await jsm.streams.deleteMessage(env.names.stream, seq.deletedLater!, false);
  await publishEvents(js, env.names, [
    change('ReadingsEdited', { deviceCode: 'A' }, { actor: 'alice', changes: { value: 0 } }),
    change('ReadingsDeleted', { sensorType: 'humidity' }, { actor: 'bob' }),
    device('DeviceAnnounced'),
    device('DeviceCommandIssued'),
    ...readings.slice(20),
    change('ReadingsRestored', { sensorType: 'humidity', deviceCode: 'B' }, { actor: 'bob' }),
  ]);
  const rebuilt = await rebuild();
  const exportFile = join(dir, 'original.ndjson');
  const exported = await runEvents(['export'], { stdout: exportFile });
  expect(exported.code, exported.stderr).toBe(0);
  expect(exported.stderr).toMatch(/^export: \d+ \/ \d+ messages \(100\.0%\)/m);
  original = { checksum: rebuilt.checksum, lines: messageLines(exportFile) };
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await env?.cleanup();
});

describe('npm run events -- export, then import into an empty stream', () => {
  it('exports every stored message in order, with its sequence, headers and payload', () => {
    const messages = original.lines.map((l) => JSON.parse(l) as { seq: number; subject: string; headers?: Record<string, string[]>; data?: unknown; text?: string; base64?: string });
    expect(messages).toHaveLength(48);
    expect(messages[0]?.seq).toBe(3);
    expect(messages.map((m) => m.seq)).not.toContain(seq.deletedLater);
    expect(messages.find((m) => m.seq === seq.bare)).toMatchObject({ text: '{"value": 41.5, "seq": 90}' });
    expect(messages.find((m) => m.seq === seq.binary)).toMatchObject({ base64: Buffer.from([0xff, 0x00, 0xfe]).toString('base64') });
    const edit = messages.find((m) => (m.data as { type?: string } | undefined)?.type === 'ReadingsEdited');
    expect(edit?.headers).toMatchObject({ 'Event-Type': ['ReadingsEdited'], 'Event-Actor': ['alice'], 'Nats-Msg-Id': [(edit?.data as { id: string }).id] });
  });

  it('restores the same sequences, and a rebuild gives the original read-model checksum', async () => {
    const file = join(dir, 'original.ndjson');
    await jsm.streams.delete(env.names.stream);
    const imported = await runEvents(['import'], { stdin: file });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('imported 48 messages');
    expect(await streamState()).toMatchObject({ messages: 48, first_seq: 3, num_deleted: 1 });

    const again = join(dir, 'again.ndjson');
    expect((await runEvents(['export'], { stdout: again })).code).toBe(0);
    const restored = messageLines(again);
    // Byte for byte, but for the bare reading, which comes back as the event it stood for. The
    // stored times are the restore's (JetStream sets them).
    const withoutTime = (line: string | undefined) => JSON.stringify({ ...(JSON.parse(line ?? '{}') as object), time: undefined });
    expect(restored).toHaveLength(original.lines.length);
    const differing = restored.flatMap((line, i) => (withoutTime(line) === withoutTime(original.lines[i]) ? [] : [(JSON.parse(line) as { seq: number }).seq]));
    expect(differing).toEqual([seq.bare]);
    const bare = (await jsm.streams.getMessage(env.names.stream, { seq: seq.bare! }))!.json<DomainEvent>();
    expect(bare).toMatchObject({ type: 'ReadingRecorded', id: `stored-${seq.bare}`, data: { deviceCode: 'A', deviceNumber: 1, value: 41.5, seq: 90 } });
    expect(bare.occurredAt).toBe((JSON.parse(original.lines.find((l) => l.includes(`"seq":${seq.bare},`))!) as { time: string }).time);

    const rebuilt = await rebuild();
    expect(rebuilt.checksum).toBe(original.checksum);
    const readings = await env.db.query<{ n: string }>('SELECT count(*) AS n FROM readings');
    expect(Number(readings.rows[0]?.n)).toBe(41);
  });

  it('refuses to import into a stream that is not empty, and leaves it as it was', async () => {
    const before = await streamState();
    const result = await runEvents(['import', join(dir, 'original.ndjson')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`import failed: stream ${env.names.stream} is not empty (48 messages, last sequence ${before.last_seq})`);
    expect(await streamState()).toEqual(before);
  });

  it('refuses a file with a malformed line, naming it, before publishing anything', async () => {
    await jsm.streams.delete(env.names.stream);
    const lines = readFileSync(join(dir, 'original.ndjson'), 'utf8').split('\n');
    lines[30] = '{"seq": 40, "time": "2026-01-01T00:00:00Z", "subject": "x"';
    const broken = join(dir, 'broken.ndjson');
    writeFileSync(broken, lines.join('\n'));
    const result = await runEvents(['import'], { stdin: broken });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^import failed: line 31: not JSON/m);
    expect(await streamExists()).toBe(false);
  });
});
