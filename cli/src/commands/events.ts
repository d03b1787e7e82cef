/**
 * `sensorctl events`: the audit view of the stream through the API (`auditEvents`,
 * admins) — the same filters, table and NDJSON as `npm run events`, which reads NATS
 * directly. Pages are printed as they arrive, so a long listing starts at once.
 */
import { Command } from 'commander';
import { AuditEventsDocument, type AuditEventFields, type AuditEventFilter } from '../../../sdk/index.ts';
import { connection, type CliContext } from '../context.ts';
import { deviceOrCode, integer, time } from '../options.ts';
import { REQUEST_PAGE_SIZE } from '../paging.ts';

interface EventsOptions {
  device?: { deviceCode: string; deviceNumber?: number };
  from?: string;
  to?: string;
  actor?: string;
  type?: string[];
  sensorType?: string;
  limit?: number;
  json?: boolean;
}

const HEADINGS = ['SEQ', 'TIME', 'TYPE', 'ACTOR', 'DATA'];

/** The event as `npm run events --json` prints it: numbers as numbers, data as JSON. */
function asRecord(event: AuditEventFields) {
  let data: unknown = event.data;
  try {
    data = JSON.parse(event.data);
  } catch {
    // An invalid message's data may be text that is not JSON: shown as it is.
  }
  return { ...event, sequence: Number(event.sequence), data };
}

function row(event: AuditEventFields): string[] {
  return [event.sequence, event.time, event.type, event.actor ?? '-', event.problem ? `${event.problem} — ${event.data}` : event.data];
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').filter((t) => t !== '')];

async function events(ctx: CliContext, command: Command, options: EventsOptions): Promise<void> {
  const { client } = connection(ctx, command);
  const filter: AuditEventFilter = {
    ...(options.device ?? {}),
    ...(options.sensorType !== undefined ? { sensorType: options.sensorType } : {}),
    ...(options.from !== undefined ? { from: options.from } : {}),
    ...(options.to !== undefined ? { to: options.to } : {}),
    ...(options.actor !== undefined ? { actor: options.actor } : {}),
    ...(options.type !== undefined ? { types: options.type } : {}),
  };
  const limit = options.limit ?? Infinity;
  let widths = HEADINGS.map((h) => h.length);
  const print = (rows: string[][]) => {
    // Widths only grow, page by page, so that columns stay aligned as far as they can.
    widths = widths.map((w, i) => (i < 4 ? Math.max(w, ...rows.map((r) => r[i]!.length)) : w));
    for (const r of rows) ctx.output.out(r.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c)).join('  '));
  };
  let count = 0;
  let after: string | undefined;
  let headed = false;
  for (;;) {
    const first = Math.min(REQUEST_PAGE_SIZE, limit - count);
    const { auditEvents } = await client.request(AuditEventsDocument, { filter, first, ...(after ? { after } : {}) });
    count += auditEvents.nodes.length;
    if (options.json) auditEvents.nodes.forEach((e) => ctx.output.out(JSON.stringify(asRecord(e))));
    else if (auditEvents.nodes.length || !headed) {
      print(headed ? auditEvents.nodes.map(row) : [HEADINGS, ...auditEvents.nodes.map(row)]);
      headed = true;
    }
    after = auditEvents.pageInfo.endCursor ?? undefined;
    if (count >= limit || !auditEvents.pageInfo.hasNextPage || !after) break;
  }
  ctx.output.note(`${count} event${count === 1 ? '' : 's'}${count >= limit ? ` (--limit ${limit})` : ''}`);
}

export function eventsCommand(ctx: CliContext): Command {
  return new Command('events')
    .description('who changed what: the events of the stream, oldest first (admins; as `npm run events`, through the API)')
    .option('--device <device>', 'readings and device events of the device (CODE-NUMBER, e.g. A-7, or a code), and changes whose filter names it', deviceOrCode)
    .option('--from <time>', 'stored at or after this time: RFC 3339 or a span ago (15m, 2h, 7d)', time())
    .option('--to <time>', 'stored at or before this time (same forms)', time())
    .option('--actor <name>', 'who did it (edits, deletes, commands)')
    .option('--type <types>', 'event types, comma-separated or repeated: ReadingRecorded, ReadingsEdited, ReadingsDeleted, ReadingsRestored, Device…, INVALID', collect)
    .option('-t, --sensor-type <type>', 'temperature, humidity, pressure, co2 or light')
    .option('-l, --limit <n>', 'print at most this many events', integer(1))
    .option('--json', 'one JSON object per line (NDJSON), as `npm run events -- --json`')
    .addHelpText(
      'after',
      `
Examples:
  sensorctl events --device A-7 --type ReadingsEdited,ReadingsDeleted
  sensorctl events --actor alice --from 24h --json`,
    )
    .action((options: EventsOptions, command: Command) => events(ctx, command, options));
}
