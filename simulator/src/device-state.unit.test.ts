import { describe, expect, it } from 'vitest';
import { decodeEvent } from '../../schema/src/events.ts';
import { DeviceStates, outgoingAnnouncement } from './device-state.ts';

describe('device states', () => {
  it('counts devices asleep and awaiting a target, each change once', () => {
    const states = new DeviceStates(5, true);
    expect([states.sleeping, states.awaitingTarget]).toEqual([0, 5]);
    states.assignTarget(1);
    states.assignTarget(1);
    states.sleep(1);
    states.sleep(1);
    states.sleep(2);
    expect([states.sleeping, states.awaitingTarget]).toEqual([2, 4]);
    expect([0, 1, 2].map((d) => [states.isMeasuring(d), states.isAwaitingTarget(d)])).toEqual([
      [false, true],
      [false, false],
      [false, true],
    ]);
    states.wake(1);
    states.wake(1);
    expect(states.isMeasuring(1)).toBe(true);
    expect([states.sleeping, states.awaitingTarget]).toEqual([1, 4]);
  });

  it('starts every device measuring when they are not provisioned unassigned', () => {
    const states = new DeviceStates(3, false);
    expect([0, 1, 2].every((d) => states.isMeasuring(d))).toBe(true);
    expect(states.awaitingTarget).toBe(0);
  });

  it('acts on a command id once', () => {
    const states = new DeviceStates(1, false);
    expect([states.firstTime('c1'), states.firstTime('c2'), states.firstTime('c1')]).toEqual([true, true, false]);
  });
});

describe('a device announcement', () => {
  it('is a valid DeviceAnnounced on the device subject, named by its source, with a message id stable across restarts', () => {
    const announce = (simulatorId: string) =>
      outgoingAnnouncement('iot', { simulatorId, sensorType: 'humidity', deviceCode: 'Q', deviceNumber: 17, occurredAt: '2026-01-02T03:04:05.000Z' });
    const first = announce('sim-humidity-aaaa');
    const decoded = decodeEvent(first.payload, { maxFutureMs: 0 });
    expect(decoded).toEqual({
      ok: true,
      event: {
        type: 'DeviceAnnounced',
        version: 1,
        id: 'sim-humidity-aaaa.Q.17.announced',
        occurredAt: '2026-01-02T03:04:05.000Z',
        data: { deviceCode: 'Q', deviceNumber: 17, sensorType: 'humidity', source: 'sim-humidity-aaaa' },
      },
    });
    expect(first).toMatchObject({ subject: 'iot.device.announced.Q.17', type: 'DeviceAnnounced', version: 1, msgId: 'announced.humidity.Q.17' });
    const afterRestart = announce('sim-humidity-bbbb');
    expect(afterRestart.id).not.toBe(first.id);
    expect(afterRestart.msgId).toBe(first.msgId);
  });
});
