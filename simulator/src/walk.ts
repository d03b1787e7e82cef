/** A bounded random walk: each reading moves a small step from the last one, inside the type's typical range. */
import type { SensorRange } from '../../schema/src/sensors.ts';

/** The largest step, as a share of the typical band: 1 % keeps consecutive readings plausible. */
const MAX_STEP_SHARE = 0.01;

export function initialValue(range: SensorRange, u: number): number {
  return range.typicalMin + u * (range.typicalMax - range.typicalMin);
}

/** One step, u in [0, 1) choosing how far and which way; a step past an edge reflects back inside. */
export function walkStep(value: number, range: SensorRange, u: number): number {
  const { typicalMin: min, typicalMax: max } = range;
  const next = value + (2 * u - 1) * MAX_STEP_SHARE * (max - min);
  if (next > max) return 2 * max - next;
  if (next < min) return 2 * min - next;
  return next;
}

/** Two decimals: finer than any of these sensors measures. The typical bounds are whole numbers, so rounding stays inside them. */
export function roundValue(value: number): number {
  return Math.round(value * 100) / 100;
}
