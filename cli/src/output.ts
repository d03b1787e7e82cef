/** What commands print: aligned tables or JSON on stdout; notes and progress on stderr. */

export interface Output {
  out(text: string): void;
  /** Notes for the person at the terminal (stderr), kept out of what scripts parse. */
  note(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(`${text}\n`),
  note: (text) => process.stderr.write(`${text}\n`),
};

export type Column<T> = [header: string, cell: (row: T) => string];

/** Columns separated by two spaces; numbers read best right-aligned, so columns of numbers are. */
export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map(([, cell]) => cell(row)));
  const widths = columns.map(([header], i) => Math.max(header.length, ...cells.map((r) => r[i]!.length)));
  const isNumber = (cell: string) => /^-?[\d.,]+$/.test(cell);
  const numeric = columns.map((_, i) => cells.some((r) => isNumber(r[i]!)) && cells.every((r) => r[i] === '-' || isNumber(r[i]!)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map(([header]) => header)), ...cells.map(line)].join('\n');
}

export const json = (value: unknown) => JSON.stringify(value, null, 2);

/** The form `sensorctl` and the server's messages name a device by: `A-7`. */
export const deviceName = (d: { deviceCode: string; deviceNumber: number }) => `${d.deviceCode}-${d.deviceNumber}`;

export const orDash = (value: string | number | null | undefined) => (value === null || value === undefined || value === '' ? '-' : String(value));
