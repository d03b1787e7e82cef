/**
 * From what the clients received and what the stream holds, the figures of a run:
 * per subscription, readings delivered against readings its device published in the
 * window (sequences `from` < seq ≤ `to`), duplicates, misdeliveries, and latency.
 */

export interface Window {
  /** Stream sequence at the start of the window (exclusive) and at its end (inclusive). */
  from: number;
  to: number;
}

export interface AnalysisInput {
  window: Window;
  /** For each sequence in the window (index seq − from − 1): the device it was published for, or −1. */
  deviceOfSequence: Int32Array;
  /** For each subscription: the device it filters to. */
  deviceOfSubscription: Int32Array;
  /** Subscriptions that ended with an error: not healthy, their loss is reported apart. */
  failed: ReadonlySet<number>;
  /** Flat quadruples: subscription, sequence, receive time (epoch ms), latency ms. */
  deliveries: ArrayLike<number>;
  /** Receive-time edges (epoch ms, ascending) of the buckets of the latency timeline. */
  timelineEdges?: readonly number[];
  /** Flat pairs from the direct JetStream reader: sequence, latency ms. */
  baseline: ArrayLike<number>;
}

export interface Latency {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface Analysis {
  /** Readings in the window that any subscription was waiting for. */
  published: number;
  healthy: number;
  expected: number;
  delivered: number;
  /** Expected but not delivered, healthy subscriptions only. */
  lost: number;
  subscriptionsWithLoss: number;
  /** The same for the subscriptions that failed. */
  failedExpected: number;
  failedDelivered: number;
  /**
   * Subscriptions not yet receiving when the window opened (no reading at or before its
   * start): counted apart, since readings published before a subscription began are not
   * owed to it. A full ramp leaves none.
   */
  late: number;
  lateExpected: number;
  lateDelivered: number;
  duplicates: number;
  /** A reading delivered to a subscription whose filter it does not match. */
  misdelivered: number;
  /** A reading delivered after one with a higher sequence, on the same subscription. */
  outOfOrder: number;
  /** Subscriptions that expected readings in the window and received none. */
  silent: number;
  latency: Latency | null;
  baseline: Latency | null;
  /** Latency of the window's deliveries by when they arrived, one entry per pair of adjacent edges. */
  timeline: Array<Latency | null>;
}

/** Nearest-rank percentiles of `values` (sorted in place). */
export function latencyOf(values: Float64Array): Latency | null {
  if (values.length === 0) return null;
  values.sort();
  const at = (q: number) => values[Math.min(values.length - 1, Math.max(0, Math.ceil(q * values.length) - 1))]!;
  let sum = 0;
  for (const v of values) sum += v;
  return { count: values.length, mean: sum / values.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: values[values.length - 1]! };
}

/** Index of the bucket [edges[k], edges[k + 1]) that holds `at`, or −1. */
function bucketOf(edges: readonly number[], at: number): number {
  if (edges.length < 2 || at < edges[0]! || at >= edges[edges.length - 1]!) return -1;
  let low = 0;
  let high = edges.length - 1;
  while (high - low > 1) {
    const middle = (low + high) >> 1;
    if (at >= edges[middle]!) low = middle;
    else high = middle;
  }
  return low;
}

export function analyze(input: AnalysisInput): Analysis {
  const { window, deviceOfSequence, deviceOfSubscription, failed, deliveries, baseline } = input;
  const span = window.to - window.from;
  const subscriptions = deviceOfSubscription.length;

  const perDevice = new Map<number, number>();
  let published = 0;
  for (const device of deviceOfSequence) {
    if (device < 0) continue;
    perDevice.set(device, (perDevice.get(device) ?? 0) + 1);
    published++;
  }

  const delivered = new Uint32Array(subscriptions);
  const lastSequence = new Float64Array(subscriptions);
  const liveAtStart = new Uint8Array(subscriptions);
  const received = new Set<number>();
  const latencies = new Float64Array(deliveries.length / 4);
  let latencyCount = 0;
  const edges = input.timelineEdges ?? [];
  const byBucket: number[][] = edges.slice(1).map(() => []);
  let duplicates = 0;
  let misdelivered = 0;
  let outOfOrder = 0;
  for (let i = 0; i + 3 < deliveries.length; i += 4) {
    const subscription = deliveries[i]!;
    const sequence = deliveries[i + 1]!;
    if (sequence < lastSequence[subscription]!) outOfOrder++;
    lastSequence[subscription] = Math.max(lastSequence[subscription]!, sequence);
    if (sequence <= window.from) liveAtStart[subscription] = 1;
    if (sequence <= window.from || sequence > window.to) continue;
    if (deviceOfSequence[sequence - window.from - 1] !== deviceOfSubscription[subscription]) {
      misdelivered++;
      continue;
    }
    const key = subscription * (span + 1) + (sequence - window.from);
    if (received.has(key)) {
      duplicates++;
      continue;
    }
    received.add(key);
    delivered[subscription]!++;
    const latency = deliveries[i + 3]!;
    latencies[latencyCount++] = latency;
    const bucket = bucketOf(edges, deliveries[i + 2]!);
    if (bucket >= 0) byBucket[bucket]!.push(latency);
  }

  const totals = { healthy: 0, expected: 0, delivered: 0, lost: 0, subscriptionsWithLoss: 0, failedExpected: 0, failedDelivered: 0, late: 0, lateExpected: 0, lateDelivered: 0, silent: 0 };
  for (let s = 0; s < subscriptions; s++) {
    const expected = perDevice.get(deviceOfSubscription[s]!) ?? 0;
    const got = delivered[s]!;
    if (expected > 0 && got === 0) totals.silent++;
    if (failed.has(s)) {
      totals.failedExpected += expected;
      totals.failedDelivered += got;
      continue;
    }
    if (!liveAtStart[s]) {
      totals.late++;
      totals.lateExpected += expected;
      totals.lateDelivered += got;
      continue;
    }
    totals.healthy++;
    totals.expected += expected;
    totals.delivered += got;
    if (got < expected) {
      totals.lost += expected - got;
      totals.subscriptionsWithLoss++;
    }
  }

  const direct = new Float64Array(baseline.length / 2);
  let directCount = 0;
  for (let i = 0; i + 1 < baseline.length; i += 2) {
    const sequence = baseline[i]!;
    if (sequence > window.from && sequence <= window.to) direct[directCount++] = baseline[i + 1]!;
  }

  return {
    published,
    ...totals,
    duplicates,
    misdelivered,
    outOfOrder,
    latency: latencyOf(latencies.subarray(0, latencyCount)),
    baseline: latencyOf(direct.subarray(0, directCount)),
    timeline: byBucket.map((values) => latencyOf(Float64Array.from(values))),
  };
}
