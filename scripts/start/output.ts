/**
 * The launcher's terminal output: every child's lines prefixed with its coloured name,
 * pino's JSON lines shown compactly (time, level, message, other fields as key=value).
 */
const ANSI = { reset: 0, bold: 1, dim: 2, red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90 } as const;
export type Colour = keyof typeof ANSI;

const PINO_LEVELS: Record<number, { label: string; colour: Colour }> = {
  10: { label: 'TRACE', colour: 'gray' },
  20: { label: 'DEBUG', colour: 'gray' },
  30: { label: 'INFO', colour: 'green' },
  40: { label: 'WARN', colour: 'yellow' },
  50: { label: 'ERROR', colour: 'red' },
  60: { label: 'FATAL', colour: 'red' },
};

/** Fields every pino line has that the prefix and the time already say. */
const IMPLIED_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'service']);

/** Colour on a terminal, unless NO_COLOR is set; FORCE_COLOR turns it on anywhere. */
export function wantsColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

export function paint(enabled: boolean, colour: Colour, text: string): string {
  return enabled ? `\u001b[${ANSI[colour]}m${text}\u001b[0m` : text;
}

const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 8);

function fieldValue(value: unknown): string {
  if (typeof value === 'string') return /\s/.test(value) ? JSON.stringify(value) : value;
  if (value && typeof value === 'object' && 'message' in value && typeof value.message === 'string') return JSON.stringify(value.message);
  return JSON.stringify(value);
}

/** A pino JSON line as `12:00:01 INFO  message key=value …`; any other line unchanged. */
export function compactLogLine(line: string, colour: boolean): string {
  if (!line.startsWith('{')) return line;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof record.level === 'number' ? PINO_LEVELS[record.level] : undefined;
  if (!level || typeof record.time !== 'number') return line;
  const fields = Object.entries(record)
    .filter(([key]) => !IMPLIED_FIELDS.has(key))
    .map(([key, value]) => `${key}=${fieldValue(value)}`);
  const message = typeof record.msg === 'string' ? record.msg : '';
  const head = `${paint(colour, 'gray', clock(record.time))} ${paint(colour, level.colour, level.label.padEnd(5))} ${message}`;
  return fields.length ? `${head} ${paint(colour, 'gray', fields.join(' '))}` : head;
}

export interface Output {
  readonly colour: boolean;
  /** A line from the launcher itself. */
  say(text: string): void;
  /** A line from a child, prefixed with its name. */
  child(name: string, nameColour: Colour, line: string, stream: 'stdout' | 'stderr'): void;
}

export function terminalOutput(nameWidth = 12): Output {
  const colour = wantsColour(process.stdout);
  return {
    colour,
    say: (text) => process.stdout.write(`${paint(colour, 'bold', 'start'.padEnd(nameWidth))} │ ${text}\n`),
    child: (name, nameColour, line, stream) => {
      const target = stream === 'stdout' ? process.stdout : process.stderr;
      target.write(`${paint(colour, nameColour, name.padEnd(nameWidth))} │ ${compactLogLine(line, colour)}\n`);
    },
  };
}
