/**
 * Prometheus: alarms active now (raised, not cleared) per severity, read from the alarm
 * projection when /metrics is scraped. One gauge per process (the registry is the process's);
 * it reads the database of the API that registered last.
 */
import { Gauge } from 'prom-client';
import type pg from 'pg';
import { ALARM_SEVERITIES } from '../../../../schema/src/alarms.ts';
import { apiRegistry, METRIC_PREFIX } from '../../metrics.ts';
import { activeAlarmsBySeverity } from './queries.ts';

let source: pg.Pool | null = null;

const activeAlarms = new Gauge({
  name: `${METRIC_PREFIX}alarms_active`,
  help: 'Alarms raised and not cleared (acknowledged ones included), by severity',
  labelNames: ['severity'] as const,
  registers: [apiRegistry],
  async collect() {
    if (!source) return;
    // A scrape while the database is away leaves the last values rather than failing /metrics.
    const counts = await activeAlarmsBySeverity(source).catch(() => null);
    if (!counts) return;
    for (const severity of ALARM_SEVERITIES) this.set({ severity: severity.toLowerCase() }, counts[severity]);
  },
});

/** Points the gauge at this API's database. */
export function registerAlarmMetrics(db: pg.Pool): Gauge<'severity'> {
  source = db;
  return activeAlarms;
}
