import { DeliverPolicy, jetstream, type JsMsg } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { headers, subjects } from '../../schema/src/subjects.ts';
import { createTestEnv, type TestEnv } from '../../test/support/env.ts';
import { iso, publishEvents, publishRaw, reading, T0 } from '../../test/support/events.ts';
import type { Projector } from './projector.ts';
import { startProjector } from '../../test/support/projector.ts';

let env: TestEnv;
let projector: Projector;

beforeAll(async () => {
  env = await createTestEnv();
  projector = startProjector(env, 100);
});

afterAll(async () => {
  await projector?.stop();
  await env?.cleanup();
});

const valid = reading({ deviceCode: 'OK', value: 1 });
const withData = (data: Record<string, unknown>) => JSON.stringify({ ...valid, id: `bad-${Math.random()}`, data: { ...valid.data, ...data } });

const badEvents: { reason: string; payload: string; detail: RegExp }[] = [
  { reason: 'malformed_json', payload: '{"type": "ReadingRecorded", ', detail: /JSON/ },
  { reason: 'unknown_type', payload: JSON.stringify({ ...valid, type: 'ReadingTeleported' }), detail: /type/ },
  { reason: 'unknown_sensor_type', payload: withData({ sensorType: 'radiation' }), detail: /sensorType must be one of/ },
  { reason: 'value_out_of_range', payload: withData({ value: 151 }), detail: /out of range for temperature/ },
  { reason: 'bad_device_code', payload: withData({ deviceCode: 'ab1' }), detail: /capital letters/ },
  { reason: 'bad_device_number', payload: withData({ deviceNumber: 0 }), detail: /between 1 and 2147483647/ },
  { reason: 'timestamp_in_future', payload: withData({ timestamp: iso(T0 + 6 * 60_000) }), detail: /more than 300 s after/ },
  { reason: 'bad_timestamp', payload: withData({ timestamp: '2026-01-01 00:00' }), detail: /RFC 3339/ },
  { reason: 'invalid_envelope', payload: JSON.stringify({ ...valid, version: 9 }), detail: /version/ },
];

async function readDeadLetters(count: number): Promise<JsMsg[]> {
  const consumer = await jetstream(env.nc).consumers.get(env.names.deadLetterStream, { deliver_policy: DeliverPolicy.All });
  const out: JsMsg[] = [];
  const messages = await consumer.fetch({ max_messages: count, expires: 5000 });
  for await (const m of messages) out.push(m);
  return out;
}

describe('dead letters', () => {
  it('sends each kind of bad event to the dead-letter stream with its reason, and projects the readings around them', async () => {
    const js = jetstream(env.nc);
    const subject = subjects.reading(env.names.prefix, 'temperature', 'OK', 1);
    const good: number[] = [];
    const bad: number[] = [];
    for (const [i, { payload }] of badEvents.entries()) {
      good.push(...(await publishEvents(js, env.names, [reading({ deviceCode: 'OK', value: i })])));
      bad.push(await publishRaw(js, subject, payload));
    }
    good.push(...(await publishEvents(js, env.names, [reading({ deviceCode: 'OK', value: 99 })])));
    await projector.waitFor(good.at(-1)!, 10_000);

    const projected = await env.db.query(`SELECT id::int FROM readings ORDER BY id`);
    expect(projected.rows.map((r) => r.id)).toEqual(good);

    const letters = await readDeadLetters(badEvents.length);
    expect(letters).toHaveLength(badEvents.length);
    for (const [i, letter] of letters.entries()) {
      const expected = badEvents[i]!;
      expect(letter.subject).toBe(subjects.deadLetter(env.names.prefix, expected.reason as never));
      expect(letter.headers?.get(headers.deadLetterReason)).toMatch(new RegExp(`^${expected.reason}: `));
      expect(letter.headers?.get(headers.deadLetterReason)).toMatch(expected.detail);
      expect(letter.headers?.get(headers.deadLetterSequence)).toBe(String(bad[i]));
      expect(letter.headers?.get(headers.deadLetterSubject)).toBe(subject);
      expect(letter.string()).toBe(expected.payload);
    }
    expect(Object.values(projector.stats().deadLetters).reduce((a, b) => a + (b ?? 0), 0)).toBe(badEvents.length);
  });
});
