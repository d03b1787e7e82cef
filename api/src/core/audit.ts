/** Audit: the events of the stream for a device, time range, actor or type (schema/src/audit.ts), a page at a time. */
import type { NatsConnection } from '@nats-io/transport-node';
import { AuditInputError, checkAuditFilter, readAuditEvents, type AuditEvent, type AuditFilter } from '../../../schema/src/audit.ts';
import type { StreamNames } from '../../../schema/src/subjects.ts';
import { badInput } from './errors.ts';

export interface AuditPage {
  events: AuditEvent[];
  hasNextPage: boolean;
  /** Where the next page starts: the last event's sequence, or further when the scan stopped short. */
  endCursor: string | null;
}

export const AUDIT_PAGE_MAX = 1000;
/** Messages one page reads at most; a sparse filter over a long stream then answers in several pages. */
export const AUDIT_SCAN_LIMIT = 50_000;

export class AuditLog {
  constructor(
    private readonly nc: NatsConnection,
    private readonly options: { names: StreamNames; maxFutureMs: number; scanLimit?: number },
  ) {}

  /** `after` is the stream sequence of the last event of the previous page. */
  async page(filter: AuditFilter, page: { first?: number | null; after?: string | null }): Promise<AuditPage> {
    const first = page.first ?? 100;
    if (!Number.isInteger(first) || first < 1 || first > AUDIT_PAGE_MAX) throw badInput(`first must be an integer from 1 to ${AUDIT_PAGE_MAX}`, 'first');
    if (page.after != null && !/^\d{1,16}$/.test(page.after)) throw badInput('after must be a cursor from a previous page (a stream sequence)', 'after');
    let checked: AuditFilter;
    try {
      checked = checkAuditFilter(filter);
    } catch (error) {
      if (error instanceof AuditInputError) throw badInput(error.message, error.field === 'type' ? 'types' : error.field);
      throw error;
    }
    const events: AuditEvent[] = [];
    const scan: { limit: number; stoppedAt?: number } = { limit: this.options.scanLimit ?? AUDIT_SCAN_LIMIT };
    const reader = readAuditEvents(this.nc, this.options.names.stream, checked, {
      prefix: this.options.names.prefix,
      maxFutureMs: this.options.maxFutureMs,
      scan,
      ...(page.after != null ? { afterSequence: Number(page.after) } : {}),
    });
    // One more than the page tells whether there is a next one.
    for await (const event of reader) {
      events.push(event);
      if (events.length > first) break;
    }
    const shown = events.slice(0, first);
    if (events.length <= first && scan.stoppedAt !== undefined) {
      // The scan stopped before the stream's end: there may be more after where it stopped.
      return { events: shown, hasNextPage: true, endCursor: String(scan.stoppedAt) };
    }
    return { events: shown, hasNextPage: events.length > first, endCursor: shown.length ? String(shown.at(-1)!.sequence) : (page.after ?? null) };
  }
}
