/** What `npm start` reads from the environment (and `.env`): the shared variables plus its own. */
import { commonVars, loadConfig, vars, type Config } from '../../schema/src/config.ts';

export const launcherVars = {
  ...commonVars,
  /** Devices per simulator; the launcher runs three (temperature, humidity, pressure). */
  SIM_DEVICES: vars.int(1, 200_000, 100),
  /** Where a private nats-server keeps its JetStream store (`nats/`) and log (`nats.log`). */
  DATA_DIR: vars.string('a directory path', /^\S.*$/, './.data'),
};

export type LauncherConfig = Config<typeof launcherVars>;

export const loadLauncherConfig = (env: NodeJS.ProcessEnv = process.env): LauncherConfig => loadConfig(launcherVars, env);
