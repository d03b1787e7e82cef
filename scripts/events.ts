/**
 * `npm run events -- …`: the auditor's view of the stream, and its backup.
 *
 *   npm run events -- --device A-7 --from 2026-01-31 --type ReadingsEdited   matching events, oldest first
 *   npm run events -- export > backup.ndjson                                  the whole stream as NDJSON
 *   npm run events -- import < backup.ndjson                                  into an empty stream
 *
 * Exit codes: 0 done, 1 failed (NATS, a bad file, a stream that is not empty), 2 bad usage.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { AuditInputError, auditableTypes, checkAuditFilter, parseDevice, readAuditEvents, type AuditEvent, type AuditFilter } from '../schema/src/audit.ts';
import { BackupFileError, checkBackup, exportStream, importStream, RestoreTargetError, type Progress } from '../schema/src/backup.ts';
import { commonVars, ConfigError, loadConfig, vars } from '../schema/src/config.ts';
import { SENSOR_TYPES, type SensorType } from '../schema/src/sensors.ts';
import { isNotFound } from '../schema/src/stream.ts';
import { streamNames, type StreamNames } from '../schema/src/subjects.ts';
import { describeError } from './cli.ts';

const USAGE = `Usage:
  npm run events -- [filters]           print the matching events of the stream, oldest first
  npm run events -- export [--output FILE]   write every message of the stream as NDJSON (stdout by default)
  npm run events -- import [FILE]       restore an export (FILE or stdin) into an empty stream

Filters (all optional, combined with AND):
  --device CODE-NUMBER | CODE   readings and device events of the device, and changes whose filter names it
  --from TIME, --to TIME        when the stream stored the event, both inclusive
  --actor NAME                  who did it (human changes, commands)
  --type TYPE[,TYPE…]           event types (repeatable): ${auditableTypes().join(', ')}
  --sensor-type TYPE            ${SENSOR_TYPES.join(', ')}
  --limit N                     print at most N events
  --json                        one JSON object a line instead of a table

TIME is RFC 3339 (2026-01-31T12:00:00Z, 2026-01-31T13:00:00+01:00), a date (2026-01-31, midnight UTC)
or an age (90s, 30m, 2h, 7d: that long ago).
Environment: NATS_URL, STREAM_NAME, SUBJECT_PREFIX (as for the services).
Exit codes: 0 done, 1 failed, 2 bad usage.`;

class UsageError extends Error {}

const AGE_UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A time flag: RFC 3339, a date (midnight UTC) or an age; returned as given when RFC 3339 so the core checks it. */
export function parseTimeFlag(flag: string, value: string, now: number): string {
  const age = /^(\d{1,9})(s|m|h|d)$/.exec(value);
  if (age) return new Date(now - Number(age[1]) * AGE_UNITS[age[2]!]!).toISOString();
  if (/^\d{4}-\d\d-\d\d$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return `${value}T00:00:00Z`;
  if (/^\d{4}-\d\d-\d\dT/.test(value)) return value;
  throw new UsageError(`--${flag} must be an RFC 3339 time (2026-01-31T12:00:00Z), a date (2026-01-31) or an age (30m, 2h, 7d), not ${JSON.stringify(value)}`);
}

interface AuditCommand {
  kind: 'audit';
  filter: AuditFilter;
  limit: number;
  json: boolean;
}
type Command = AuditCommand | { kind: 'export'; output?: string } | { kind: 'import'; file?: string } | { kind: 'help' };

export function parseCommand(argv: string[], now: number): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        device: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        actor: { type: 'string' },
        type: { type: 'string', multiple: true },
        'sensor-type': { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        output: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  const [verb, ...rest] = positionals;
  const filterFlags = ['device', 'from', 'to', 'actor', 'type', 'sensor-type', 'limit', 'json'] as const;
  const given = filterFlags.filter((f) => values[f] !== undefined);
  if (verb === 'export' || verb === 'import') {
    if (given.length) throw new UsageError(`${verb} takes no filters (got --${given[0]}): it copies the whole stream`);
    if (verb === 'export') {
      if (rest.length) throw new UsageError(`export takes no arguments (got ${rest.join(' ')}); use --output FILE or redirect stdout`);
      return { kind: 'export', ...(values.output ? { output: values.output } : {}) };
    }
    if (values.output !== undefined) throw new UsageError('--output is for export');
    if (rest.length > 1) throw new UsageError(`import takes one file at most (got ${rest.join(' ')})`);
    return { kind: 'import', ...(rest[0] ? { file: rest[0] } : {}) };
  }
  if (verb !== undefined) throw new UsageError(`unknown command ${JSON.stringify(verb)}: use export, import, or filters only`);
  if (values.output !== undefined) throw new UsageError('--output is for export');
  let limit = Infinity;
  if (values.limit !== undefined) {
    if (!/^\d{1,9}$/.test(values.limit) || Number(values.limit) < 1) throw new UsageError(`--limit must be a whole number from 1, not ${JSON.stringify(values.limit)}`);
    limit = Number(values.limit);
  }
  const sensorType = values['sensor-type'];
  if (sensorType !== undefined && !(SENSOR_TYPES as readonly string[]).includes(sensorType)) {
    throw new UsageError(`--sensor-type must be one of ${SENSOR_TYPES.join(', ')}, not ${JSON.stringify(sensorType)}`);
  }
  const filter: AuditFilter = {
    ...(values.device !== undefined ? parseDevice(values.device) : {}),
    ...(sensorType !== undefined ? { sensorType: sensorType as SensorType } : {}),
    ...(values.from !== undefined ? { from: parseTimeFlag('from', values.from, now) } : {}),
    ...(values.to !== undefined ? { to: parseTimeFlag('to', values.to, now) } : {}),
    ...(values.actor !== undefined ? { actor: values.actor } : {}),
    ...(values.type !== undefined ? { types: values.type.flatMap((t) => t.split(',')).filter((t) => t !== '') } : {}),
  };
  return { kind: 'audit', filter: checkAuditFilter(filter), limit, json: values.json ?? false };
}

/** A table row: data as compact JSON; an invalid message shows why it is refused. */
export function formatRow(event: AuditEvent): string[] {
  const data = JSON.stringify(event.data);
  return [String(event.sequence), event.time, event.type, event.actor ?? '-', event.problem ? `${event.problem} — ${data}` : data];
}

const HEADINGS = ['SEQ', 'TIME', 'TYPE', 'ACTOR', 'DATA'];

/** Writes to stdout in chunks, waiting when the pipe is full (export of millions of lines). */
function bufferedWriter(out: NodeJS.WritableStream) {
  let chunk = '';
  const flush = async () => {
    if (chunk && !out.write(chunk)) await once(out, 'drain');
    chunk = '';
  };
  return {
    async write(text: string) {
      chunk += text;
      if (chunk.length >= 64 * 1024) await flush();
    },
    flush,
  };
}

/** Progress on stderr, at most once a second, and always the last one. */
function progressPrinter(label: string, unit: string) {
  const started = performance.now();
  let printed = started;
  return ({ done, total }: Progress) => {
    const now = performance.now();
    if (now - printed < 1000 && done < total) return;
    printed = now;
    const rate = done / Math.max((now - started) / 1000, 0.001);
    const percent = total ? ((100 * done) / total).toFixed(1) : '100.0';
    process.stderr.write(`${label}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} ${unit} (${percent}%), ${Math.round(rate).toLocaleString('en')} ${unit}/s\n`);
  };
}

async function runAudit(nc: NatsConnection, names: StreamNames, command: AuditCommand, maxFutureMs: number): Promise<void> {
  const out = bufferedWriter(process.stdout);
  let count = 0;
  // The table is laid out per batch of rows, so a long listing starts printing at once.
  let rows: string[][] = [];
  let widths = HEADINGS.map((h) => h.length);
  const printRows = async () => {
    for (const row of rows) widths = widths.map((w, i) => (i < 4 ? Math.max(w, row[i]!.length) : w));
    for (const row of rows) await out.write(`${row.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c)).join('  ')}\n`);
    rows = [];
  };
  if (!command.json) rows.push(HEADINGS);
  for await (const event of readAuditEvents(nc, names.stream, command.filter, { prefix: names.prefix, maxFutureMs })) {
    if (command.json) await out.write(`${JSON.stringify(event)}\n`);
    else rows.push(formatRow(event));
    if (rows.length >= 500) await printRows();
    if (++count >= command.limit) break;
  }
  await printRows();
  await out.flush();
  process.stderr.write(`${count.toLocaleString('en')} event${count === 1 ? '' : 's'}${count >= command.limit ? ` (--limit ${command.limit})` : ''}\n`);
}

async function runExport(nc: NatsConnection, names: StreamNames, output: string | undefined): Promise<void> {
  const sink = output ? createWriteStream(output, { flags: 'wx' }) : process.stdout;
  if (output) await once(sink, 'open');
  const out = bufferedWriter(sink);
  const started = performance.now();
  const trailer = await exportStream(nc, names, (line) => out.write(line), { now: () => new Date(), onProgress: progressPrinter('export', 'messages') });
  await out.flush();
  if (output) await new Promise<void>((resolve, reject) => (sink as NodeJS.WritableStream).end((error?: Error | null) => (error ? reject(error) : resolve())));
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stderr.write(`exported ${trailer.messages.toLocaleString('en')} messages of ${names.stream} (sequences ${trailer.firstSeq}…${trailer.lastSeq}) in ${seconds} s\n`);
}

/** The file's lines; the file is opened when the first line is asked for (readline drops lines nobody listens to yet). */
async function* linesOf(file: string): AsyncGenerator<string> {
  yield* createInterface({ input: createReadStream(file), crlfDelay: Infinity });
}

async function runImport(nc: NatsConnection, names: StreamNames, file: string | undefined): Promise<void> {
  let spooled: string | undefined;
  if (!file) {
    // Checked in full before anything is published, then read again: stdin is kept in a temporary file.
    spooled = mkdtempSync(join(tmpdir(), 'events-import-'));
    file = join(spooled, 'stdin.ndjson');
    await pipeline(process.stdin, createWriteStream(file));
  }
  try {
    const started = performance.now();
    const backup = await checkBackup(() => linesOf(file));
    process.stderr.write(`import: the file is whole: ${backup.messages.toLocaleString('en')} messages of ${backup.header.stream} (sequences ${backup.firstSeq}…${backup.lastSeq})\n`);
    const result = await importStream(nc, names, backup, linesOf(file), { onProgress: progressPrinter('import', 'messages') });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    process.stderr.write(`imported ${result.messages.toLocaleString('en')} messages into ${names.stream} (last sequence ${result.lastSeq}) in ${seconds} s\n`);
  } finally {
    if (spooled) rmSync(spooled, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv, Date.now());
  } catch (error) {
    if (error instanceof UsageError || error instanceof AuditInputError) {
      process.stderr.write(`events: ${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (command.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let env;
  try {
    env = loadConfig({ NATS_URL: commonVars.NATS_URL, STREAM_NAME: commonVars.STREAM_NAME, SUBJECT_PREFIX: commonVars.SUBJECT_PREFIX, MAX_FUTURE_SECONDS: vars.int(0, 86_400, 300) });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`events: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const names = streamNames(env.STREAM_NAME, env.SUBJECT_PREFIX);
  let nc: NatsConnection;
  try {
    nc = await connect({ servers: env.NATS_URL.split(','), name: 'events', noAsyncTraces: true, reconnect: false });
  } catch (error) {
    process.stderr.write(`events: cannot reach NATS at ${env.NATS_URL} (NATS_URL): ${describeError(error)}\n`);
    return 1;
  }
  try {
    switch (command.kind) {
      case 'audit':
        await runAudit(nc, names, command, env.MAX_FUTURE_SECONDS * 1000);
        break;
      case 'export':
        await runExport(nc, names, command.output);
        break;
      case 'import':
        await runImport(nc, names, command.file);
        break;
      default: {
        const unreachable: never = command;
        throw new Error(`unknown command ${JSON.stringify(unreachable)}`);
      }
    }
    return 0;
  } catch (error) {
    const label = command.kind === 'audit' ? 'events' : command.kind;
    const message = isNotFound(error)
      ? `there is no stream ${names.stream} at ${env.NATS_URL} (STREAM_NAME, NATS_URL)`
      : error instanceof BackupFileError || error instanceof RestoreTargetError
        ? error.message
        : describeError(error);
    process.stderr.write(`${label} failed: ${message}\n`);
    return 1;
  } finally {
    await nc.close().catch(() => undefined);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // `npm run events | head`: a reader that leaves early is no failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  let finished = false;
  // A promise nobody settles would let Node exit with 0 half-way: that is a failure.
  process.on('exit', () => {
    if (finished) return;
    process.stderr.write('events: stopped before finishing\n');
    process.exitCode = 1;
  });
  main(process.argv.slice(2)).then(
    (code) => {
      finished = true;
      process.exitCode = code;
    },
    (error: unknown) => {
      finished = true;
      process.stderr.write(`events failed: ${describeError(error)}\n`);
      process.exitCode = 1;
    },
  );
}
