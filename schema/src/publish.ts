/** Where each event is published and with which headers: one rule for every publisher. */
import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders, type MsgHdrs } from '@nats-io/transport-node';
import { alarmEventSubject } from './alarms.ts';
import { encodeEvent, type DomainEvent } from './events.ts';
import { headers, subjects } from './subjects.ts';

export function eventSubject(prefix: string, event: DomainEvent): string {
  switch (event.type) {
    case 'ReadingRecorded':
      return subjects.reading(prefix, event.data.sensorType, event.data.deviceCode, event.data.deviceNumber);
    case 'ReadingsEdited':
      return subjects.readingsChange(prefix, 'edited');
    case 'ReadingsDeleted':
      return subjects.readingsChange(prefix, 'deleted');
    case 'ReadingsRestored':
      return subjects.readingsChange(prefix, 'restored');
    case 'DeviceAnnounced':
      return subjects.device(prefix, 'announced', event.data.deviceCode, event.data.deviceNumber);
    case 'DeviceTargetAssigned':
      return subjects.device(prefix, 'target', event.data.deviceCode, event.data.deviceNumber);
    case 'DeviceCommandIssued':
      return subjects.device(prefix, 'command', event.data.deviceCode, event.data.deviceNumber);
    case 'AlarmRuleDefined':
    case 'AlarmRuleDeleted':
    case 'AlarmAcknowledged':
    case 'AlarmCleared':
    case 'DeviceErrorLogged':
      return alarmEventSubject(prefix, event);
    default: {
      const unreachable: never = event;
      throw new Error(`no subject for ${JSON.stringify(unreachable)}`);
    }
  }
}

export function eventHeaders(event: DomainEvent): MsgHdrs {
  const h = natsHeaders();
  h.set(headers.eventType, event.type);
  h.set(headers.eventVersion, String(event.version));
  if (event.actor) h.set(headers.actor, event.actor);
  return h;
}

/** Publishes one event; its id is the Nats-Msg-Id, so a retried publish is stored once. */
export function publishEvent(js: JetStreamClient, prefix: string, event: DomainEvent, options: { msgID?: string; timeout?: number } = {}): Promise<PubAck> {
  return js.publish(eventSubject(prefix, event), encodeEvent(event), {
    msgID: options.msgID ?? event.id,
    headers: eventHeaders(event),
    ...(options.timeout ? { timeout: options.timeout } : {}),
  });
}
