/**
 * The compose stack, Prometheus and Grafana files, checked without Docker (none runs here,
 * STACK trap 11): every service has a health check and waits for what it needs to be healthy,
 * Prometheus scrapes the ports the services are given, and every series on the dashboard is one
 * the services export (names collected from their registries), the series all included.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import '../../api/src/core/alarms/metrics.ts';
import { apiRegistry } from '../../api/src/metrics.ts';
import { createRegistry } from '../../schema/src/metrics.ts';
import { ProjectorMetrics } from '../../projector/src/metrics.ts';
import type { ProjectorStats } from '../../projector/src/projector.ts';
import { simulatorRegistry } from '../../simulator/src/metrics.ts';
import type { SimulatorStats } from '../../simulator/src/simulator.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
}

const compose = parse(read('docker-compose.yml'), { merge: true }) as { services: Record<string, Service> };
const services = compose.services;

/** Every metric name the three services export, histogram series (_bucket, _sum, _count) included. */
function exportedNames(): Set<string> {
  const projector = new ProjectorMetrics(createRegistry());
  // Only the names are read here: nothing is scraped, so these sources are never called.
  projector.observe(
    () => ({}) as ProjectorStats,
    () => Promise.reject(new Error('not scraped')),
  );
  const registries = [apiRegistry, projector.registry, simulatorRegistry(() => ({}) as SimulatorStats)];
  const names = new Set<string>();
  for (const registry of registries) {
    for (const metric of registry.getMetricsAsArray()) {
      names.add(metric.name);
      if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${metric.name}${suffix}`);
    }
  }
  return names;
}

/** Metric names a PromQL expression reads: identifiers that are not functions, keywords, label names or durations. */
function metricsIn(expr: string): string[] {
  const bare = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\{[^}]*\}/g, '')
    .replace(/\[[^\]]*\]/g, '')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  const keywords = new Set(['by', 'without', 'offset', 'bool', 'and', 'or', 'unless']);
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .filter((m) => !/^\s*\(/.test(bare.slice(m.index + m[0].length)))
    .map((m) => m[0])
    .filter((word) => !keywords.has(word));
}

interface Panel {
  type: string;
  title: string;
  targets?: { expr: string }[];
  datasource?: { uid: string };
}

const dashboard = JSON.parse(read('deploy/grafana/dashboards/sensor-platform.json')) as { uid: string; panels: Panel[] };
const queries = dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

describe('docker-compose.yml', () => {
  it('gives every long-running service a health check and makes every dependency wait for health (or, for migrate, completion)', () => {
    for (const [name, service] of Object.entries(services)) {
      if (name === 'migrate') expect(service.healthcheck, 'migrate runs once and exits').toBeUndefined();
      else expect(service.healthcheck?.test.length, `${name} has a health check`).toBeGreaterThan(0);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency], `${name} depends on ${dependency}, a service`).toBeDefined();
        expect(condition).toBe(dependency === 'migrate' ? 'service_completed_successfully' : 'service_healthy');
      }
    }
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['nats', 'postgres', 'migrate', 'api', 'projector', 'simulator-temperature', 'simulator-humidity', 'simulator-pressure', 'prometheus', 'grafana']));
  });

  it('probes each Node service on the port its environment gives it', () => {
    const probed = (service: Service) => /127\.0\.0\.1:(\d+)\/(readyz|healthz)/.exec(service.healthcheck!.test.join(' '))?.[1];
    expect(probed(services.api!)).toBe(services.api!.environment!.PORT);
    expect(probed(services.projector!)).toBe(services.projector!.environment!.PROJECTOR_METRICS_PORT);
    for (const type of ['temperature', 'humidity', 'pressure']) {
      const simulator = services[`simulator-${type}`]!;
      expect(probed(simulator)).toBe(simulator.environment!.SIMULATOR_METRICS_PORT);
      expect(simulator.command).toEqual(expect.arrayContaining(['--type', type]));
      expect(simulator.environment!.NATS_URL).toBe('nats://nats:4222');
    }
  });

  it('mounts deploy files that exist', () => {
    for (const service of Object.values(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (source.startsWith('./')) expect(existsSync(join(ROOT, source)), source).toBe(true);
      }
    }
  });
});

describe('Prometheus', () => {
  const config = parse(read('deploy/prometheus/prometheus.yml')) as { scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[] };
  const targets = Object.fromEntries(config.scrape_configs.map((c) => [c.job_name, c.static_configs.flatMap((s) => s.targets)]));

  it('scrapes the API, the projector and every simulator on the ports compose gives them', () => {
    expect(targets.api).toEqual([`api:${services.api!.environment!.PORT}`]);
    expect(targets.projector).toEqual([`projector:${services.projector!.environment!.PROJECTOR_METRICS_PORT}`]);
    const simulators = Object.keys(services).filter((n) => n.startsWith('simulator-'));
    expect(targets.simulator?.sort()).toEqual(simulators.map((n) => `${n}:${services[n]!.environment!.SIMULATOR_METRICS_PORT}`).sort());
  });

  it('alerts only on metrics the services export', () => {
    const names = exportedNames();
    const rules = parse(read('deploy/prometheus/alerts.yml')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const exprs = rules.groups.flatMap((g) => g.rules);
    expect(exprs.length).toBeGreaterThan(0);
    for (const rule of exprs) for (const metric of metricsIn(rule.expr)) expect(metric === 'up' || names.has(metric), `${rule.alert}: ${metric}`).toBe(true);
  });
});

describe('the Grafana dashboard', () => {
  it('is provisioned with the Prometheus data source it queries', () => {
    const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as { datasources: { uid: string; url: string }[] };
    const providers = parse(read('deploy/grafana/provisioning/dashboards/sensor-platform.yml')) as { providers: { options: { path: string } }[] };
    expect(datasources.datasources[0]).toMatchObject({ uid: 'prometheus', url: 'http://prometheus:9090' });
    expect(services.grafana!.volumes).toContain(`./deploy/grafana/dashboards:${providers.providers[0]!.options.path}:ro`);
    for (const panel of dashboard.panels.filter((p) => p.type !== 'row')) expect(panel.datasource?.uid, panel.title).toBe('prometheus');
  });

  it('queries only metrics the services export', () => {
    const names = exportedNames();
    expect(queries.length).toBeGreaterThan(20);
    for (const { panel, expr } of queries) {
      const metrics = metricsIn(expr);
      expect(metrics.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const metric of metrics) expect(names.has(metric), `${panel}: ${metric} is not exported`).toBe(true);
    }
  });

  it("shows every series issue #7 asks for", () => {
    const shown = new Set(queries.flatMap((q) => metricsIn(q.expr)));
    for (const metric of [
      'sensors_projector_readings_total', // ingest rate
      'sensors_projector_lag_events',
      'sensors_projector_batch_duration_seconds_bucket',
      'sensors_projector_dead_letters_total',
      'sensors_graphql_operation_duration_seconds_bucket',
      'sensors_live_subscriptions',
      'sensors_live_slow_clients_dropped_total',
      'sensors_simulator_published_total',
      'sensors_simulator_publish_errors_total',
    ]) {
      expect(shown.has(metric), metric).toBe(true);
    }
  });

  it('tells a metric from a function, a label and a duration in PromQL', () => {
    expect(metricsIn('histogram_quantile(0.95, sum by (le, operation) (rate(sensors_graphql_operation_duration_seconds_bucket{outcome="ok"}[5m])))')).toEqual([
      'sensors_graphql_operation_duration_seconds_bucket',
    ]);
    expect(metricsIn('max(sensors_projector_lag_events) > 10000')).toEqual(['sensors_projector_lag_events']);
  });
});
