import { describe, expect, it } from 'vitest';
import { takeContiguous, type RawMessage } from './batch.ts';

const messages = (...sequences: number[]): RawMessage[] => sequences.map((sequence) => ({ sequence, subject: 's', data: new Uint8Array(), storedAtMs: 0 }));
/** A stream starting at `first` that holds the sequences `holds` says it does. */
const stream = (holds: (sequence: number) => boolean, first = 1) => {
  const asked: number[] = [];
  return { asked, exists: async (s: number) => (asked.push(s), holds(s)), firstSequence: async () => first };
};
const nothingMissing = stream(() => false);
const everythingExists = stream(() => true);

describe('takeContiguous', () => {
  it('drops messages at or below the checkpoint (redeliveries)', async () => {
    const result = await takeContiguous(messages(3, 4, 5, 6), 4, everythingExists);
    expect(result.take.map((m) => m.sequence)).toEqual([5, 6]);
    expect(result.missing).toBeNull();
  });

  it('stops before a hole where the stream still has the message', async () => {
    const result = await takeContiguous(messages(5, 6, 8, 9), 4, everythingExists);
    expect(result.take.map((m) => m.sequence)).toEqual([5, 6]);
    expect(result.missing).toBe(7);
  });

  it('passes over a hole the stream does not have (a deleted message)', async () => {
    const result = await takeContiguous(messages(5, 8), 4, nothingMissing);
    expect(result.take.map((m) => m.sequence)).toEqual([5, 8]);
    expect(result.missing).toBeNull();
  });

  it('checks a hole right after the checkpoint too', async () => {
    const result = await takeContiguous(messages(7), 4, stream((s) => s === 6));
    expect(result).toEqual({ take: [], missing: 6 });
  });

  it("does not ask about sequences before the stream's first (purged), only the rest of the hole", async () => {
    const purged = stream(() => false, 99_998);
    const result = await takeContiguous(messages(100_001, 100_002), 0, purged);
    expect(result.take.map((m) => m.sequence)).toEqual([100_001, 100_002]);
    expect(purged.asked).toEqual([99_998, 99_999, 100_000]);
  });
});
