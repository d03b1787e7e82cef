/**
 * NATS subjects and stream settings: the wire contract between simulator, projector and API.
 * The prefix and stream name come from config so that tests run on their own subjects.
 */
import { logStreamName } from './logs.ts';
import type { SensorType } from './sensors.ts';

export interface StreamNames {
  /** Domain stream: the source of truth. */
  stream: string;
  /** Dead letters: events the projector could not accept, with the reason in a header. */
  deadLetterStream: string;
  /** Device log lines (logs.ts): kept for a configurable time, not events. */
  logStream: string;
  prefix: string;
}

export function streamNames(streamName: string, prefix: string): StreamNames {
  return { stream: streamName, deadLetterStream: `${streamName}_DEADLETTER`, logStream: logStreamName(streamName), prefix };
}

export const subjects = {
  reading: (prefix: string, sensorType: SensorType, deviceCode: string, deviceNumber: number) =>
    `${prefix}.reading.${sensorType}.${deviceCode}.${deviceNumber}`,
  /** Edits, deletes and restores of readings by filter. */
  readingsChange: (prefix: string, kind: 'edited' | 'deleted' | 'restored') => `${prefix}.readings.${kind}`,
  /** Device events: `announced`, `target`, `command`. Simulators listen on `<prefix>.device.command.>` and `.target.>`. */
  device: (prefix: string, kind: 'announced' | 'target' | 'command', deviceCode: string, deviceNumber: number) =>
    `${prefix}.device.${kind}.${deviceCode}.${deviceNumber}`,
  deadLetter: (prefix: string, reason: string) => `${prefix}.deadletter.${reason}`,
  /** Subjects the domain stream captures (one stream, several subject trees; none overlap the dead letters or `<prefix>.log.>`). */
  domainStreamSubjects: (prefix: string) => [`${prefix}.reading.>`, `${prefix}.readings.>`, `${prefix}.device.>`, `${prefix}.alarm.>`],
  deadLetterStreamSubjects: (prefix: string) => [`${prefix}.deadletter.>`],
};

/** Message headers: an auditor sees type and actor with `nats stream view` without our code. */
export const headers = {
  eventType: 'Event-Type',
  eventVersion: 'Event-Version',
  actor: 'Event-Actor',
  msgId: 'Nats-Msg-Id',
  deadLetterReason: 'Dead-Letter-Reason',
  deadLetterSubject: 'Dead-Letter-Subject',
  deadLetterSequence: 'Dead-Letter-Sequence',
} as const;

/** The durable consumer of the readings projector. */
export const PROJECTOR_CONSUMER = 'projector-readings';

/** Publishers retry with the same Nats-Msg-Id inside this window; the server stores the event once. */
export const DUPLICATE_WINDOW_NS = 2 * 60 * 1_000_000_000;

/** Postgres NOTIFY channel on which the projector announces each applied change command (payload: command id). */
export const CHANGE_APPLIED_CHANNEL = 'change_applied';
