/**
 * The simulator's Prometheus metrics and HTTP listener (SIMULATOR_METRICS_PORT): /healthz,
 * /readyz (NATS answers, not shutting down) and /metrics. Everything is read from the
 * simulator's own counters when Prometheus scrapes: nothing is added to the publish path.
 */
import type { NatsConnection } from '@nats-io/transport-node';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Logger } from '../../schema/src/log.ts';
import { createRegistry, METRIC_PREFIX, runReadiness, startOpsServer } from '../../schema/src/metrics.ts';
import type { SimulatorStats } from './simulator.ts';

type CountedStat = 'generated' | 'published' | 'duplicates' | 'errors' | 'retries' | 'skipped';
type GaugedStat = 'inFlight' | 'queued' | 'devices' | 'sleeping';

const COUNTERS: ReadonlyArray<[CountedStat, string, string]> = [
  ['generated', 'simulator_readings_generated_total', 'Readings measured (each takes a seq)'],
  ['published', 'simulator_published_total', 'Readings the stream acknowledged'],
  ['duplicates', 'simulator_duplicates_total', 'Acknowledgements of a retried reading the stream already had'],
  ['errors', 'simulator_publish_errors_total', 'Publishes that failed or timed out (each is retried with the same Nats-Msg-Id)'],
  ['retries', 'simulator_publish_retries_total', 'Publishes sent again after a failure'],
  ['skipped', 'simulator_skipped_total', 'Measurements not taken because the publisher was saturated or the scheduler stalled'],
];

const GAUGES: ReadonlyArray<[GaugedStat, string, string]> = [
  ['inFlight', 'simulator_in_flight', 'Publishes awaiting their acknowledgement'],
  ['queued', 'simulator_queued', 'Readings waiting for a slot in the in-flight window'],
  ['devices', 'simulator_devices', 'Devices this instance simulates'],
  ['sleeping', 'simulator_sleeping_devices', 'Devices told to sleep'],
];

/** A registry whose simulator metrics (labelled with the sensor type) read `stats()` at scrape time. */
export function simulatorRegistry(stats: () => SimulatorStats): Registry {
  const registry = createRegistry();
  const registers = [registry];
  for (const [stat, name, help] of COUNTERS) {
    new Counter({
      name: `${METRIC_PREFIX}${name}`,
      help,
      labelNames: ['sensor_type'],
      registers,
      collect() {
        const s = stats();
        this.reset();
        this.inc({ sensor_type: s.sensorType }, s[stat]);
      },
    });
  }
  for (const [stat, name, help] of GAUGES) {
    new Gauge({
      name: `${METRIC_PREFIX}${name}`,
      help,
      labelNames: ['sensor_type'],
      registers,
      collect() {
        const s = stats();
        this.reset();
        this.set({ sensor_type: s.sensorType }, s[stat]);
      },
    });
  }
  new Gauge({
    name: `${METRIC_PREFIX}simulator_running`,
    help: '1 while the simulator measures, 0 when stopped through its control API',
    labelNames: ['sensor_type'],
    registers,
    collect() {
      const s = stats();
      this.reset();
      this.set({ sensor_type: s.sensorType }, s.running ? 1 : 0);
    },
  });
  return registry;
}

export interface SimulatorOps {
  port: number;
  markStopping(): void;
  close(): Promise<void>;
}

export async function startSimulatorOps(options: { port: number; nc: NatsConnection; stats: () => SimulatorStats; logger: Logger }): Promise<SimulatorOps> {
  let stopping = false;
  const readiness = () =>
    runReadiness({
      nats: async () => {
        if (options.nc.isClosed()) return 'connection closed';
        await options.nc.rtt();
      },
      simulator: async () => (stopping ? 'shutting down' : undefined),
    });
  const server = await startOpsServer({ port: options.port, registry: simulatorRegistry(options.stats), readiness, logger: options.logger, portVariable: 'SIMULATOR_METRICS_PORT' });
  return {
    port: server.port,
    markStopping: () => {
      stopping = true;
    },
    close: () => server.close(),
  };
}
