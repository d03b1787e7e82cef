/** What runs where, printed once everything has started. */
import { relative } from 'node:path';
import { logSubjects } from '../../schema/src/logs.ts';
import { subjects, type StreamNames } from '../../schema/src/subjects.ts';
import type { PrivateNats } from './nats.ts';
import { paint } from './output.ts';

export interface BannerFacts {
  /** Both URLs as they may be printed (redacted). */
  natsUrl: string;
  privateNats: PrivateNats | null;
  databaseUrl: string;
  databaseCreated: boolean;
  names: StreamNames;
  /** DEVICE_LOG_RETENTION, in seconds. */
  logRetentionSeconds: number;
  /** Child name → pid. */
  processes: ReadonlyMap<string, number>;
  /** Child name → the port of its /metrics, /healthz and /readyz (0: a free one, in its log). */
  metricsPorts?: ReadonlyMap<string, number | 'off'>;
  devicesPerSimulator: number;
  /** The API's GraphQL URL and bootstrap login, when the API runs. */
  api: { url: string; username: string; password: string; passwordFile: string | null } | null;
}

/** A duration in its largest whole unit: 86400 → "24 h", 90 → "90 s". */
export function formatDuration(seconds: number): string {
  if (seconds % 86_400 === 0 && seconds >= 2 * 86_400) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

const shortPath = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};

function metricsNote(port: number | 'off' | undefined): string {
  if (port === undefined) return '';
  if (port === 'off') return '  (metrics off)';
  return port === 0 ? '  (metrics on a free port, logged at its start)' : `  metrics http://localhost:${port}/metrics`;
}

export function banner(facts: BannerFacts, colour: boolean): string {
  const { names, privateNats } = facts;
  const database = facts.databaseUrl;
  const nats = privateNats
    ? `${facts.natsUrl}  (private nats-server, pid ${privateNats.pid}; store ${shortPath(privateNats.storeDir)}, log ${shortPath(privateNats.logFile)})`
    : `${facts.natsUrl}  (already running)`;
  const row = (label: string, value: string) => `  ${paint(colour, 'bold', label.padEnd(16))} ${value}`;
  const rule = paint(colour, 'gray', '─'.repeat(80));
  return [
    rule,
    paint(colour, 'bold', 'Sensor platform running. Ctrl-C stops everything.'),
    row('NATS', nats),
    ...(privateNats ? [row('MQTT', 'url' in privateNats.mqtt ? `${privateNats.mqtt.url}  (topics ${names.prefix}/reading/<sensorType>/<deviceCode>/<deviceNumber>, ${names.prefix}/log/<deviceCode>/<deviceNumber>)` : `off: ${privateNats.mqtt.off}`)] : []),
    row('PostgreSQL', `${database}${facts.databaseCreated ? '  (database created now)' : ''}`),
    row('stream', `${names.stream} on ${subjects.domainStreamSubjects(names.prefix).join(', ')}`),
    row('dead letters', `${names.deadLetterStream} on ${subjects.deadLetterStreamSubjects(names.prefix).join(', ')}`),
    row('device logs', `${names.logStream} on ${logSubjects.streamSubjects(names.prefix).join(', ')}, kept ${formatDuration(facts.logRetentionSeconds)} (DEVICE_LOG_RETENTION)`),
    ...[...facts.processes].map(([name, pid]) => row(name, `pid ${pid}${metricsNote(facts.metricsPorts?.get(name))}`)),
    row('devices', `${facts.devicesPerSimulator} per simulator`),
    ...(facts.api
      ? [
          row('dashboard', `${facts.api.url.replace(/\/graphql$/, '/')}  (log in with the admin below)`),
          row('GraphQL', `${facts.api.url}  (GraphiQL in a browser; graphql-ws and SSE on the same path)`),
          row('admin login', `${facts.api.username} / ${facts.api.password}${facts.api.passwordFile ? `  (kept in ${shortPath(facts.api.passwordFile)})` : ''}`),
        ]
      : []),
    '',
    `  newest readings:  psql '${database}' -c 'select * from active_readings order by timestamp desc limit 5'`,
    `  raw events:       nats --server ${facts.natsUrl} stream view ${names.stream}`,
    rule,
  ].join('\n');
}
