import { describe, expect, it } from 'vitest';
import { analyze, latencyOf, type AnalysisInput } from './analysis.ts';
import { assignDevices, intervalFor } from './plan.ts';

/** Window 100 < seq ≤ 106: devices 0,1,0,1,-1,0 (seq 105 is not a reading of a subscribed device). */
const base: Omit<AnalysisInput, 'deliveries'> = {
  window: { from: 100, to: 106 },
  deviceOfSequence: Int32Array.of(0, 1, 0, 1, -1, 0),
  deviceOfSubscription: Int32Array.of(0, 1),
  failed: new Set(),
  baseline: [101, 3, 102, 5, 99, 1000],
};

/** Each subscription's first reading, before the window: both were live when it opened. */
const LIVE = [0, 99, 1000, 1, 1, 98, 1000, 1];

describe('analyzing what the clients received', () => {
  it('counts as delivered only the readings of the subscription\'s device stored in the window', () => {
    const a = analyze({ ...base, deliveries: [...LIVE, 0, 100, 1000, 9, 0, 101, 1000, 4, 1, 102, 1000, 6, 0, 103, 1000, 8, 1, 104, 1000, 2, 0, 106, 1000, 10, 0, 107, 1000, 50] });
    expect(a).toMatchObject({ published: 5, healthy: 2, expected: 5, delivered: 5, lost: 0, duplicates: 0, misdelivered: 0, outOfOrder: 0, silent: 0 });
    expect(a.latency).toMatchObject({ count: 5, p50: 6, max: 10 });
  });

  it('reports readings missing for a subscription as lost, and a subscription that got none as silent', () => {
    const a = analyze({ ...base, deliveries: [...LIVE, 0, 101, 1000, 4] });
    expect(a).toMatchObject({ expected: 5, delivered: 1, lost: 4, subscriptionsWithLoss: 2, silent: 1 });
  });

  it('keeps the readings of failed subscriptions apart from the healthy ones', () => {
    const a = analyze({ ...base, failed: new Set([1]), deliveries: [...LIVE, 0, 101, 1000, 4, 0, 103, 1000, 4, 0, 106, 1000, 4] });
    expect(a).toMatchObject({ healthy: 1, expected: 3, delivered: 3, lost: 0, failedExpected: 2, failedDelivered: 0 });
  });

  it('counts a reading delivered twice, to the wrong subscription, or out of order', () => {
    const a = analyze({ ...base, deliveries: [...LIVE, 0, 103, 1000, 4, 0, 101, 1000, 4, 0, 101, 1000, 4, 1, 101, 1000, 4] });
    expect(a).toMatchObject({ delivered: 2, duplicates: 1, misdelivered: 1, outOfOrder: 2 });
  });

  it('keeps subscriptions that were not yet receiving when the window opened apart from the healthy ones', () => {
    const a = analyze({ ...base, deliveries: [0, 99, 1000, 1, 0, 101, 1000, 4, 1, 104, 1000, 4] });
    expect(a).toMatchObject({ healthy: 1, expected: 3, delivered: 1, lost: 2, late: 1, lateExpected: 2, lateDelivered: 1 });
  });

  it('buckets the window\'s latencies by when they arrived', () => {
    const a = analyze({ ...base, timelineEdges: [1000, 2000, 3000], deliveries: [...LIVE, 0, 101, 1500, 4, 1, 102, 2500, 6, 0, 103, 2600, 8, 0, 106, 3000, 10] });
    expect(a.timeline.map((l) => l?.max)).toEqual([4, 8]);
  });

  it('takes the latency floor from the direct reader\'s readings in the window only', () => {
    expect(analyze({ ...base, deliveries: [] }).baseline).toMatchObject({ count: 2, p50: 3, max: 5 });
  });
});

describe('latency percentiles', () => {
  it('are nearest-rank', () => {
    const l = latencyOf(Float64Array.from({ length: 1000 }, (_, i) => 1000 - i));
    expect(l).toMatchObject({ count: 1000, p50: 500, p90: 900, p99: 990, p999: 999, max: 1000, mean: 500.5 });
  });

  it('are absent without deliveries', () => {
    expect(latencyOf(new Float64Array())).toBeNull();
  });
});

describe('the plan', () => {
  it('chooses the device interval that offers the rate', () => {
    expect(intervalFor(10_000, 5000)).toBe(2000);
    expect(intervalFor(500, 500)).toBe(1000);
  });

  it('gives each subscription a device, round-robin when there are fewer devices', () => {
    const devices = [0, 1, 2].map((n) => ({ sensorType: 'temperature', deviceCode: 'A', deviceNumber: n }));
    expect(assignDevices(devices, 5).map((d) => d.deviceNumber)).toEqual([0, 1, 2, 0, 1]);
  });
});
