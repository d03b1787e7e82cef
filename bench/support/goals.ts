/**
 * Issue #8's table of product goals: each benchmark contributes the rows it measures
 * (figure, same-run baseline, ratio, verdict, what limits it), and `npm run bench -- all`
 * writes them together at the top of BENCHMARKS.md.
 */
import { markdownTable, textTable, type Row } from './format.ts';

export interface Goal {
  /** The row of the goal table, as the issue names it. */
  what: string;
  goal: string;
  measured: string;
  /** The baseline measured in the same run ('—' where the issue names none). */
  baseline: string;
  /** measured ÷ baseline. */
  ratio: string;
  met: boolean;
  /** One sentence: what limits the figure. */
  limit: string;
}

const HEADER: Row = ['what', 'goal', 'measured', 'same-run baseline', 'ratio', 'met', 'what limits it'];

const rows = (goals: readonly Goal[]): Row[] => goals.map((g) => [g.what, g.goal, g.measured, g.baseline, g.ratio, g.met ? 'yes' : 'NO', g.limit]);

export function goalsText(goals: readonly Goal[]): string {
  return textTable(HEADER.slice(0, 6), rows(goals).map((r) => r.slice(0, 6)));
}

export function goalsMarkdown(goals: readonly Goal[], runLine: string): string {
  const met = goals.filter((g) => g.met).length;
  return [`_${runLine}: ${met} of ${goals.length} goals met. The figures behind each row are in its benchmark's section below._`, '', markdownTable(HEADER, rows(goals))].join('\n');
}
