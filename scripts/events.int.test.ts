/**
 * `npm run events` (audit) against a real nats-server: a stream filled with readings, changes,
 * device events and a malformed message; every filter is checked against what it must return,
 * and against a plain scan of the whole stream (the subject narrowing must lose nothing).
 */
import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { matchesAudit, readAuditEvents, type AuditEvent, type AuditFilter } from '../schema/src/audit.ts';
import type { DomainEvent } from '../schema/src/events.ts';
import { createTestEnv, type TestEnv } from '../test/support/env.ts';
import { change, iso, publishEvents, publishRaw, reading, T0 } from '../test/support/events.ts';
import { startService } from '../test/support/processes.ts';

let env: TestEnv;
let js: JetStreamClient;
const seq: Record<string, number> = {};
/** Names the sequences of events published together. */
const name = (keys: string[], values: number[]) => keys.forEach((key, i) => (seq[key] = values[i]!));
let boundary = '';

const command = (deviceCode: string, deviceNumber: number, actor: string): DomainEvent => ({
  type: 'DeviceCommandIssued',
  version: 1,
  id: randomUUID(),
  occurredAt: iso(T0),
  actor,
  data: { commandId: randomUUID(), deviceCode, deviceNumber, command: 'SLEEP' },
});

async function read(filter: AuditFilter, afterSequence?: number): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  const options = { prefix: env.names.prefix, maxFutureMs: 300_000, ...(afterSequence === undefined ? {} : { afterSequence }) };
  for await (const event of readAuditEvents(env.nc, env.names.stream, filter, options)) out.push(event);
  return out;
}

async function runEvents(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const service = startService('scripts/events.ts', env.env, args);
  let stdout = '';
  let stderr = '';
  service.child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  service.child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await service.exited;
  return { code, stdout, stderr };
}

beforeAll(async () => {
  env = await createTestEnv();
  js = jetstream(env.nc);
  const p = env.names.prefix;
  name(['a1', 'a2', 'b1'], await publishEvents(js, env.names, [
    reading({ deviceCode: 'A', deviceNumber: 1 }),
    reading({ deviceCode: 'A', deviceNumber: 2, sensorType: 'humidity', value: 40 }),
    reading({ deviceCode: 'B', deviceNumber: 1 }),
  ]));
  seq.bareA1 = await publishRaw(js, `${p}.reading.humidity.A.1`, '{"value": 41.5, "seq": 3}');
  seq.malformedA1 = await publishRaw(js, `${p}.reading.temperature.A.1`, '{"value": ');
  // Stored times are the server's: a pause splits the stream into an early and a late part.
  await new Promise((r) => setTimeout(r, 50));
  name(['editA1', 'deleteA', 'deleteHumidity', 'commandA1', 'commandB1'], await publishEvents(js, env.names, [
    change('ReadingsEdited', { deviceCode: 'A', deviceNumber: 1 }, { actor: 'alice', changes: { value: 0 } }),
    change('ReadingsDeleted', { deviceCode: 'A' }, { actor: 'bob' }),
    change('ReadingsDeleted', { sensorType: 'humidity' }, { actor: 'bob' }),
    command('A', 1, 'carol'),
    command('B', 1, 'carol'),
  ]));
  const jsm = await jetstreamManager(env.nc);
  boundary = (await jsm.streams.getMessage(env.names.stream, { seq: seq.editA1! }))!.time.toISOString();
});

afterAll(async () => {
  await env?.cleanup();
});

describe('the audit reader', () => {
  it('lists a device’s readings, device events and the changes whose filter names it, in stream order', async () => {
    const events = await read({ deviceCode: 'A', deviceNumber: 1 });
    expect(events.map((e) => e.sequence)).toEqual([seq.a1, seq.bareA1, seq.malformedA1, seq.editA1, seq.deleteA, seq.commandA1]);
    expect(events.map((e) => e.type)).toEqual(['ReadingRecorded', 'ReadingRecorded', 'INVALID', 'ReadingsEdited', 'ReadingsDeleted', 'DeviceCommandIssued']);
    expect(events[1]?.data).toMatchObject({ deviceCode: 'A', deviceNumber: 1, sensorType: 'humidity', value: 41.5 });
    expect(events[2]?.problem).toMatch(/^malformed_json: /);
    expect(events[3]).toMatchObject({ actor: 'alice', data: { filter: { deviceCode: 'A', deviceNumber: 1 }, changes: { value: 0 } } });
  });

  it('takes a bare device code to mean every device with it', async () => {
    const events = await read({ deviceCode: 'A' });
    expect(events.map((e) => e.sequence)).toEqual([seq.a1, seq.a2, seq.bareA1, seq.malformedA1, seq.editA1, seq.deleteA, seq.commandA1]);
  });

  it('filters by actor and by event type', async () => {
    expect((await read({ actor: 'bob' })).map((e) => e.sequence)).toEqual([seq.deleteA, seq.deleteHumidity]);
    expect((await read({ types: ['DeviceCommandIssued', 'ReadingsEdited'] })).map((e) => e.sequence)).toEqual([seq.editA1, seq.commandA1, seq.commandB1]);
    expect((await read({ types: ['DeviceCommandIssued'], deviceCode: 'B' })).map((e) => e.sequence)).toEqual([seq.commandB1]);
  });

  it('filters by the time the stream stored the events, both ends inclusive', async () => {
    const late = await read({ from: boundary });
    expect(late.map((e) => e.sequence)).toEqual([seq.editA1, seq.deleteA, seq.deleteHumidity, seq.commandA1, seq.commandB1]);
    const early = await read({ to: new Date(Date.parse(boundary) - 1).toISOString() });
    expect(early.map((e) => e.sequence)).toEqual([seq.a1, seq.a2, seq.b1, seq.bareA1, seq.malformedA1]);
    expect((await read({ from: boundary, to: boundary })).map((e) => e.sequence)).toContain(seq.editA1);
  });

  it('returns for each filter exactly what a scan of the whole stream keeps', async () => {
    const all = await read({});
    expect(all).toHaveLength(10);
    const filters: AuditFilter[] = [
      { deviceCode: 'A', deviceNumber: 1 },
      { deviceCode: 'B', sensorType: 'temperature' },
      { sensorType: 'humidity' },
      { types: ['ReadingRecorded'], deviceCode: 'A' },
      { types: ['INVALID'] },
      { actor: 'carol', from: boundary },
    ];
    for (const filter of filters) {
      expect((await read(filter)).map((e) => e.sequence), JSON.stringify(filter)).toEqual(all.filter((e) => matchesAudit(e, filter, env.names.prefix)).map((e) => e.sequence));
    }
  });

  it('starts after a sequence (the page cursor)', async () => {
    expect((await read({ deviceCode: 'A', deviceNumber: 1 }, seq.editA1)).map((e) => e.sequence)).toEqual([seq.deleteA, seq.commandA1]);
  });
});

describe('npm run events', () => {
  it('prints a table of the matching events', async () => {
    const { code, stdout, stderr } = await runEvents(['--device', 'A-1', '--type', 'ReadingsEdited,ReadingsDeleted']);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^SEQ\s+TIME\s+TYPE\s+ACTOR\s+DATA$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      [String(seq.editA1), expect.stringMatching(/^\d{4}-/), 'ReadingsEdited', 'alice'],
      [String(seq.deleteA), expect.stringMatching(/^\d{4}-/), 'ReadingsDeleted', 'bob'],
    ]);
    expect(lines[1]).toContain('"changes":{"value":0}');
    expect(stderr).toContain('2 events');
  });

  it('prints NDJSON with --json and stops at --limit', async () => {
    const { code, stdout } = await runEvents(['--actor', 'carol', '--json', '--limit', '1']);
    expect(code).toBe(0);
    const rows = stdout.trim().split('\n').map((l) => JSON.parse(l) as AuditEvent);
    expect(rows).toEqual([expect.objectContaining({ sequence: seq.commandA1, type: 'DeviceCommandIssued', actor: 'carol', data: expect.objectContaining({ command: 'SLEEP' }) })]);
  });

  it('refuses a bad flag with exit code 2, saying what is wrong, and prints nothing on stdout', async () => {
    const badDate = await runEvents(['--from', 'yesterday']);
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toContain('--from must be an RFC 3339 time');
    expect(badDate.stdout).toBe('');
  });
});
