/**
 * Per-minute min/avg/max of one device's readings over a sliding window: seeded from
 * readingStats (older minutes) and raw readings (recent ones), then fed live readings.
 */
export const MINUTE_MS = 60_000;

export interface MinuteBucket {
  start: number;
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface StatInput {
  start: string;
  count: number;
  min: number;
  max: number;
  avg: number;
}

export const minuteOf = (ms: number): number => Math.floor(ms / MINUTE_MS) * MINUTE_MS;

export class MinuteSeries {
  private readonly buckets = new Map<number, MinuteBucket>();
  /** Timestamp and value of the newest reading by measurement time. */
  latest: { at: number; value: number } | null = null;

  /** Adds a whole minute as readingStats reports it (replacing what the minute held). */
  seed(stat: StatInput): void {
    const start = minuteOf(Date.parse(stat.start));
    this.buckets.set(start, { start, count: stat.count, sum: stat.avg * stat.count, min: stat.min, max: stat.max });
  }

  add(timestampMs: number, value: number): void {
    const start = minuteOf(timestampMs);
    const bucket = this.buckets.get(start);
    if (bucket) {
      bucket.count += 1;
      bucket.sum += value;
      bucket.min = Math.min(bucket.min, value);
      bucket.max = Math.max(bucket.max, value);
    } else {
      this.buckets.set(start, { start, count: 1, sum: value, min: value, max: value });
    }
    if (!this.latest || timestampMs >= this.latest.at) this.latest = { at: timestampMs, value };
  }

  /** The minutes of the window ending with `now`'s minute, oldest first; forgets older ones. */
  window(now: number, minutes: number): MinuteBucket[] {
    const first = minuteOf(now) - (minutes - 1) * MINUTE_MS;
    for (const start of this.buckets.keys()) if (start < first) this.buckets.delete(start);
    return [...this.buckets.values()].filter((b) => b.start <= minuteOf(now)).sort((a, b) => a.start - b.start);
  }
}
