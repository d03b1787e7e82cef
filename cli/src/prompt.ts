/** Asking at the terminal (questions on stderr, so stdout stays clean), and reading secrets from stdin. */
import { createInterface } from 'node:readline/promises';
import { CliError, EXIT, usageError } from './errors.ts';

type Input = NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };

export async function ask(input: Input, question: string): Promise<string> {
  const rl = createInterface({ input, output: process.stderr, terminal: true });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** Reads a line at the terminal without echoing it. */
export function askHidden(input: Input, question: string): Promise<string> {
  process.stderr.write(question);
  input.setRawMode?.(true);
  input.resume();
  let typed = '';
  return new Promise((resolve, reject) => {
    const done = (finish: () => void) => {
      input.removeListener('data', onData);
      input.setRawMode?.(false);
      input.pause();
      process.stderr.write('\n');
      finish();
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(() => resolve(typed));
        if (char === '\u0003' || char === '\u0004') return done(() => reject(new CliError('cancelled', EXIT.usage)));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    input.on('data', onData);
  });
}

/** The first line of stdin (for `--password-stdin`, `--api-key-stdin`), without its line ending. */
export async function readFirstLine(input: Input, what: string): Promise<string> {
  if (input.isTTY) throw usageError(`${what} is read from stdin: pipe it in, e.g. \`printf '%s\\n' "$SECRET" | sensorctl login …\``);
  let text = '';
  for await (const chunk of input) {
    text += chunk.toString();
    if (text.includes('\n')) break;
  }
  const line = text.split(/\r?\n/)[0] ?? '';
  if (!line) throw usageError(`${what} was expected on stdin, which was empty`);
  return line;
}
