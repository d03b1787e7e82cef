/**
 * What the benchmark and its load processes (bench/subscriptions/load.ts) exchange:
 * the load's settings in a JSON file named on its command line, a status line on
 * stdout once a second, and its deliveries in a JSON file written when told to stop.
 */

export interface Device {
  sensorType: string;
  deviceCode: string;
  deviceNumber: number;
}

export interface LoadConfig {
  /** ws:// URL of the API's graphql-ws endpoint. */
  url: string;
  token: string;
  /** This process's subscriptions: the global index of each and the device it filters to. */
  subscriptions: Array<{ index: number; device: Device }>;
  /** Subscriptions multiplexed over one WebSocket (1: a connection each). */
  perConnection: number;
  /** New subscriptions started per second while ramping up. */
  rampPerSecond: number;
  /** At most this many WebSockets waiting for `connection_ack` at once while ramping. */
  maxPendingConnections: number;
  /** When set, this process also reads the readings straight from JetStream: the latency floor. */
  baseline: { natsUrl: string; stream: string; subject: string } | null;
  /** Where to write the results when the process is told to stop (SIGTERM). */
  resultFile: string;
}

export const STATUS_PREFIX = '{"loadStatus":';

export interface LoadStatus {
  /** Seconds since the load process began. */
  t: number;
  /** Subscriptions sent, WebSockets acknowledged by the server (connection_ack), and closed. */
  subscribed: number;
  connected: number;
  closed: number;
  /** Subscriptions that have received at least one reading. */
  live: number;
  received: number;
  /** Subscriptions ended by the server with an error (a slow client cut off, an expired token…). */
  failed: number;
  baselineReceived: number;
}

export interface LoadResult {
  /** Flat quadruples: subscription index, stream sequence, receive time (epoch ms), latency in ms (receive time − recordedAt). */
  deliveries: number[];
  /** Flat pairs from the direct JetStream reader: stream sequence, latency in ms. */
  baseline: number[];
  /** First error message per failed subscription index. */
  failures: Record<number, string>;
  /** How many WebSockets the server closed, by close code. */
  closeCodes: Record<string, number>;
}

export function parseStatus(line: string): LoadStatus | null {
  if (!line.startsWith(STATUS_PREFIX)) return null;
  try {
    return (JSON.parse(line) as { loadStatus: LoadStatus }).loadStatus;
  } catch {
    return null;
  }
}
