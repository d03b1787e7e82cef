/** A benchmark's integer flag: its value, or `fallback` when absent; anything else is refused naming the flag. */
export function int(flag: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
  return n;
}
