/** Number and table formatting shared by the benchmarks' stdout and markdown output. */

export const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export const mb = (bytes: number | null) => (bytes === null ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MB`);

export const pct = (share: number) => `${(share * 100).toFixed(1)} %`;

export const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');

export type Row = readonly string[];

const NUMBER_CELL = /^[-+]?[\d,.]+( ?(%|×|\/s|MB|s|µs))?$|^n\/a$|^$/;

/** Columns whose every cell is a number (with a unit): right-aligned. */
function numericColumns(header: Row, rows: readonly Row[]): boolean[] {
  return header.map((_, i) => rows.length > 0 && rows.every((r) => NUMBER_CELL.test(r[i] ?? '')));
}

/** A plain-text table with aligned columns (numbers right-aligned). */
export function textTable(header: Row, rows: readonly Row[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = numericColumns(header, rows);
  const line = (r: Row) =>
    r
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(header: Row, rows: readonly Row[]): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  const numeric = numericColumns(header, rows);
  return [
    `| ${header.map(escape).join(' | ')} |`,
    `|${numeric.map((n) => (n ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`),
  ].join('\n');
}
