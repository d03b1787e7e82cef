/** A measurement as the event and message the platform stores (SPEC §4). */
import { encodeEvent, type ReadingRecorded } from '../../schema/src/events.ts';
import type { SensorType } from '../../schema/src/sensors.ts';
import { subjects } from '../../schema/src/subjects.ts';
import type { Measurement } from './fleet.ts';
import type { OutgoingEvent } from './publisher.ts';

/**
 * Unique across instances and restarts: the simulator id is drawn afresh at
 * every start, and (device, seq) is unique within one run.
 */
export function readingEventId(simulatorId: string, m: Measurement): string {
  return `${simulatorId}.${m.deviceCode}.${m.deviceNumber}.${m.seq}`;
}

export function readingRecorded(simulatorId: string, sensorType: SensorType, m: Measurement, measuredAt: string, occurredAt: string): ReadingRecorded {
  return {
    type: 'ReadingRecorded',
    version: 1,
    id: readingEventId(simulatorId, m),
    occurredAt,
    data: { sensorType, value: m.value, deviceCode: m.deviceCode, deviceNumber: m.deviceNumber, timestamp: measuredAt, seq: m.seq },
  };
}

export function outgoingReading(prefix: string, event: ReadingRecorded): OutgoingEvent {
  const { sensorType, deviceCode, deviceNumber } = event.data;
  return {
    subject: subjects.reading(prefix, sensorType, deviceCode, deviceNumber),
    id: event.id,
    type: event.type,
    version: event.version,
    // Encoded once: a retry sends the very same bytes.
    payload: encodeEvent(event),
  };
}
