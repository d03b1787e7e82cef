/**
 * Seeded randomness (mulberry32): the same seed gives the same devices and the
 * same values on every run. Never Math.random — a run must be reproducible.
 */

/** A float in [0, 1). */
export type Rng = () => number;

/**
 * Advances the generator whose whole state is states[i] and returns a float in [0, 1).
 * One 32-bit word per generator lets 100,000 devices each own one in a Uint32Array.
 */
export function nextRandom(states: Uint32Array, i: number): number {
  const a = (states[i]! + 0x6d2b79f5) | 0;
  states[i] = a;
  let t = Math.imul(a ^ (a >>> 15), 1 | a);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export function createRng(seed: number): Rng {
  const state = Uint32Array.of(seed >>> 0);
  return () => nextRandom(state, 0);
}

/** A 32-bit seed for another generator, drawn from this one. */
export function drawSeed(rng: Rng): number {
  return Math.floor(rng() * 4294967296) >>> 0;
}
