/** The counters a simulator process logs as JSON (every 10 s and at shutdown), as the benchmarks read them. */
export interface SimulatorStats {
  generated: number;
  published: number;
  skipped: number;
  errors: number;
  lateTicks: number;
}

/** The counters in one line of a simulator's output, or null for any other line. */
export function parseSimulatorStats(line: string): SimulatorStats | null {
  if (!line.startsWith('{') || !line.includes('"stats"')) return null;
  try {
    const stats = (JSON.parse(line) as { stats?: Record<string, unknown> }).stats;
    if (!stats || typeof stats.published !== 'number') return null;
    const n = (k: string) => (typeof stats[k] === 'number' ? (stats[k] as number) : 0);
    return { generated: n('generated'), published: n('published'), skipped: n('skipped'), errors: n('errors'), lateTicks: n('lateTicks') };
  } catch {
    return null;
  }
}
