import { commonVars, loadConfig, vars } from '../../schema/src/config.ts';
import { metricsPortVar } from '../../schema/src/metrics.ts';

export const projectorVars = {
  ...commonVars,
  PROJECTOR_BATCH_SIZE: vars.int(1, 100_000, 5000),
  /** How far a reading's timestamp may lie ahead of its event time (SPEC §3: 5 min). */
  MAX_FUTURE_SECONDS: vars.int(0, 86_400, 300),
  /** /healthz, /readyz and /metrics: a port, 0 (the default) for any free one (logged at start), or off. */
  PROJECTOR_METRICS_PORT: metricsPortVar(0),
};

export const loadProjectorConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(projectorVars, env);
