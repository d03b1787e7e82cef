/** Building and publishing domain events in tests, as a device or an operator would. */
import { randomUUID } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import type { DomainEvent, ReadingData, ReadingChanges, ReadingFilter, StreamNames } from '../../schema/src/index.ts';
import { eventSubject, publishEvent } from '../../schema/src/publish.ts';

export const T0 = Date.parse('2026-01-01T00:00:00Z');
export const iso = (ms: number) => new Date(ms).toISOString();

export function reading(data: Partial<ReadingData> & { at?: number } = {}): DomainEvent {
  const at = data.at ?? T0;
  return {
    type: 'ReadingRecorded',
    version: 1,
    id: randomUUID(),
    occurredAt: iso(at),
    data: {
      sensorType: data.sensorType ?? 'temperature',
      value: data.value ?? 21.5,
      deviceCode: data.deviceCode ?? 'A',
      deviceNumber: data.deviceNumber ?? 1,
      timestamp: data.timestamp ?? iso(at),
      ...(data.seq === undefined ? {} : { seq: data.seq }),
    },
  };
}

type ChangeKind = 'ReadingsEdited' | 'ReadingsDeleted' | 'ReadingsRestored';

export function change(type: ChangeKind, filter: ReadingFilter, options: { changes?: ReadingChanges; actor?: string; at?: number; commandId?: string } = {}): DomainEvent {
  const envelope = { version: 1 as const, id: randomUUID(), occurredAt: iso(options.at ?? T0 + 3_600_000), actor: options.actor ?? 'alice' };
  const commandId = options.commandId ?? randomUUID();
  if (type === 'ReadingsEdited') return { type, ...envelope, data: { commandId, filter, changes: options.changes ?? {} } };
  return { type, ...envelope, data: { commandId, filter } };
}

export const subjectOf = (names: StreamNames, event: DomainEvent) => eventSubject(names.prefix, event);

/** Publishes events in order and returns their stream sequences. */
export async function publishEvents(js: JetStreamClient, names: StreamNames, events: readonly DomainEvent[]): Promise<number[]> {
  const sequences: number[] = [];
  for (const event of events) sequences.push((await publishEvent(js, names.prefix, event)).seq);
  return sequences;
}

/** Publishes raw bytes (for malformed events) to a subject; returns the sequence. */
export async function publishRaw(js: JetStreamClient, subject: string, payload: string): Promise<number> {
  return (await js.publish(subject, payload)).seq;
}
