import { describe, expect, it } from 'vitest';
import { formatCounts } from './postgres.ts';

describe('formatCounts', () => {
  it('lists the launched sensor types in order, zero for one with no readings yet, then any others', () => {
    const counts = new Map([['pressure', 121], ['co2', 3], ['temperature', 120]]);
    expect(formatCounts(counts, ['temperature', 'humidity', 'pressure'])).toBe('temperature 120, humidity 0, pressure 121, co2 3');
  });
});
