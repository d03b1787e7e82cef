import { describe, expect, it } from 'vitest';
import { MinuteSeries, MINUTE_MS } from './series.ts';

const T0 = Date.parse('2026-11-22T10:00:00Z');

describe('MinuteSeries', () => {
  it('folds live readings into min, max and mean of their minute', () => {
    const series = new MinuteSeries();
    series.add(T0 + 5_000, 20);
    series.add(T0 + 10_000, 24);
    series.add(T0 + MINUTE_MS + 1, 30);
    const [first, second] = series.window(T0 + MINUTE_MS + 2, 60);
    expect(first).toEqual({ start: T0, count: 2, sum: 44, min: 20, max: 24 });
    expect(second).toEqual({ start: T0 + MINUTE_MS, count: 1, sum: 30, min: 30, max: 30 });
    expect(series.latest).toEqual({ at: T0 + MINUTE_MS + 1, value: 30 });
  });

  it('adds live readings on top of a seeded minute', () => {
    const series = new MinuteSeries();
    series.seed({ start: new Date(T0).toISOString(), count: 4, min: 10, max: 14, avg: 12 });
    series.add(T0 + 59_000, 2);
    expect(series.window(T0, 60)).toEqual([{ start: T0, count: 5, sum: 50, min: 2, max: 14 }]);
  });

  it('drops minutes that slid out of the window and keeps the latest by measurement time', () => {
    const series = new MinuteSeries();
    series.add(T0, 1);
    series.add(T0 + 10 * MINUTE_MS, 2);
    series.add(T0 + 5 * MINUTE_MS, 3);
    expect(series.window(T0 + 10 * MINUTE_MS, 6).map((b) => b.sum)).toEqual([3, 2]);
    expect(series.latest?.value).toBe(2);
  });
});
