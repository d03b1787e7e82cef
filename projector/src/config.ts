import { commonVars, loadConfig, vars } from '../../schema/src/config.ts';

export const projectorVars = {
  ...commonVars,
  PROJECTOR_BATCH_SIZE: vars.int(1, 100_000, 5000),
  /** How far a reading's timestamp may lie ahead of its event time (SPEC §3: 5 min). */
  MAX_FUTURE_SECONDS: vars.int(0, 86_400, 300),
};

export const loadProjectorConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(projectorVars, env);
