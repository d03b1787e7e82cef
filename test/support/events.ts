/** Building and publishing domain events in tests, as a device or an operator would. */
import { randomUUID } from 'node:crypto';
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { headers, subjects, type DomainEvent, type ReadingData, type ReadingChanges, type ReadingFilter, type StreamNames } from '../../schema/src/index.ts';

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

export function subjectOf(names: StreamNames, event: DomainEvent): string {
  switch (event.type) {
    case 'ReadingRecorded':
      return subjects.reading(names.prefix, event.data.sensorType, event.data.deviceCode, event.data.deviceNumber);
    case 'ReadingsEdited':
      return subjects.readingsChange(names.prefix, 'edited');
    case 'ReadingsDeleted':
      return subjects.readingsChange(names.prefix, 'deleted');
    case 'ReadingsRestored':
      return subjects.readingsChange(names.prefix, 'restored');
    default: {
      const unreachable: never = event;
      throw new Error(`no subject for ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Publishes events in order and returns their stream sequences. */
export async function publishEvents(js: JetStreamClient, names: StreamNames, events: readonly DomainEvent[]): Promise<number[]> {
  const sequences: number[] = [];
  for (const event of events) {
    const h = natsHeaders();
    h.set(headers.eventType, event.type);
    if (event.actor) h.set(headers.actor, event.actor);
    const ack = await js.publish(subjectOf(names, event), JSON.stringify(event), { msgID: event.id, headers: h });
    sequences.push(ack.seq);
  }
  return sequences;
}

/** Publishes raw bytes (for malformed events) to a subject; returns the sequence. */
export async function publishRaw(js: JetStreamClient, subject: string, payload: string): Promise<number> {
  return (await js.publish(subject, payload)).seq;
}
