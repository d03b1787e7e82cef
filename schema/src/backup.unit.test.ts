import { describe, expect, it } from 'vitest';
import { BackupFileError, checkBackup, decodePayload, EXPORT_FORMAT, encodePayload, restoredPayload, type ExportedMessage } from './backup.ts';

const HEADER = JSON.stringify({ format: EXPORT_FORMAT, version: 1, stream: 'S', prefix: 'iot', subjects: ['iot.reading.>'], exportedAt: '2026-01-01T00:00:00.000Z' });
const message = (seq: number, extra: Partial<ExportedMessage> = {}) =>
  JSON.stringify({ seq, time: '2026-01-01T00:00:00.000Z', subject: 'iot.readings.edited', data: { type: 'X' }, ...extra });
const end = (messages: number, firstSeq: number, lastSeq: number) => JSON.stringify({ end: true, messages, firstSeq, lastSeq });

async function* lines(...items: string[]): AsyncGenerator<string> {
  yield* items;
}

async function fileError(...items: string[]): Promise<string> {
  try {
    await checkBackup(() => lines(...items));
  } catch (error) {
    if (error instanceof BackupFileError) return error.message;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('payloads', () => {
  it('keep every kind of payload byte for byte', () => {
    const cases = ['{"type":"ReadingRecorded","data":{"value":21.5}}', '{"value": 41.50}', 'plain text', ''].map((t) => Buffer.from(t));
    cases.push(Buffer.from([0xff, 0xfe, 0x00, 0x41]));
    for (const bytes of cases) {
      const encoded = encodePayload(bytes);
      expect(Buffer.from(decodePayload({ seq: 1, time: '', subject: 's', ...encoded })).equals(bytes)).toBe(true);
    }
    expect(Object.keys(encodePayload(cases[0]!))).toEqual(['data']);
    expect(Object.keys(encodePayload(cases[1]!))).toEqual(['text']);
    expect(Object.keys(encodePayload(cases[4]!))).toEqual(['base64']);
  });

  it('restores a bare reading as the event it stood for, with the time the stream first stored it', () => {
    const bare = { seq: 12, time: '2026-01-05T10:00:00.000Z', subject: 'iot.reading.humidity.GH.7', text: '{"value": 41.5, "seq": 3}' };
    expect(JSON.parse(Buffer.from(restoredPayload(bare, 'iot')).toString())).toEqual({
      type: 'ReadingRecorded',
      version: 1,
      id: 'stored-12',
      occurredAt: '2026-01-05T10:00:00.000Z',
      data: { sensorType: 'humidity', value: 41.5, deviceCode: 'GH', deviceNumber: 7, timestamp: '2026-01-05T10:00:00.000Z', seq: 3 },
    });
  });

  it('leaves full events and messages that do not decode as they were', () => {
    const full = { seq: 1, time: '2026-01-05T10:00:00.000Z', subject: 'iot.readings.edited', data: { type: 'ReadingsEdited', anything: 1 } };
    expect(Buffer.from(restoredPayload(full, 'iot')).toString()).toBe('{"type":"ReadingsEdited","anything":1}');
    const outOfRange = { seq: 2, time: '2026-01-05T10:00:00.000Z', subject: 'iot.reading.humidity.GH.7', data: { value: 400 } };
    expect(Buffer.from(restoredPayload(outOfRange, 'iot')).toString()).toBe('{"value":400}');
  });
});

describe('checkBackup', () => {
  it('accepts a whole file and reports its extent', async () => {
    expect(await checkBackup(() => lines(HEADER, message(3), message(5), end(2, 3, 5)))).toMatchObject({ messages: 2, firstSeq: 3, lastSeq: 5, header: { stream: 'S' } });
  });

  it('names the line of what is wrong', async () => {
    expect(await fileError()).toBe('line 1: the file is empty');
    expect(await fileError('{"seq":1}')).toMatch(/^line 1: not an export of this platform/);
    expect(await fileError(HEADER, message(1), '{"seq": 2, "subj', end(2, 1, 2))).toMatch(/^line 3: not JSON/);
    expect(await fileError(HEADER, message(2), message(2), end(2, 2, 2))).toBe('line 3: seq 2 does not follow 2: messages must be in increasing sequence order');
    expect(await fileError(HEADER, message(1, { text: 'x' }), end(1, 1, 1))).toBe('line 2: a message needs exactly one of data, text, base64');
    expect(await fileError(HEADER, message(1, { subject: 'iot.>' }), end(1, 1, 1))).toBe('line 2: subject must be a NATS subject without wildcards');
  });

  it('refuses a file cut off or with a wrong count', async () => {
    expect(await fileError(HEADER, message(1), message(2))).toBe('line 3: the file ends without its end line: it was cut off');
    expect(await fileError(HEADER, message(1), end(2, 1, 2))).toBe('line 3: the file ends saying 2 messages but holds 1');
    expect(await fileError(HEADER, message(1), end(1, 1, 1), message(2))).toBe('line 4: nothing may follow the end line');
  });

  it('refuses a Nats-Msg-Id that repeats, which a restore would store once', async () => {
    const withId = (seq: number, id: string) => message(seq, { headers: { 'Nats-Msg-Id': [id] } });
    const ids = Array.from({ length: 2000 }, (_, i) => withId(i + 1, `id-${i}`));
    expect(await checkBackup(() => lines(HEADER, ...ids, end(2000, 1, 2000)))).toMatchObject({ messages: 2000 });
    expect(await fileError(HEADER, withId(1, 'a'), withId(2, 'b'), withId(3, 'a'), end(3, 1, 3))).toBe(
      'line 4: the message of sequence 3 repeats the Nats-Msg-Id "a" of sequence 1: a restore would keep only the first. Remove its Nats-Msg-Id header from this line and import again',
    );
  });
});
