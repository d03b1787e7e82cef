/** What `npm start` reads from the environment (and `.env`): the shared variables plus its own. */
import { commonVars, loadConfig, vars, type Config } from '../../schema/src/config.ts';
import { metricsPortVar } from '../../schema/src/metrics.ts';

export const launcherVars = {
  ...commonVars,
  /** Devices per simulator; the launcher runs three (temperature, humidity, pressure). */
  SIM_DEVICES: vars.int(1, 200_000, 100),
  /** Where a private nats-server keeps its JetStream store (`nats/`) and log (`nats.log`). */
  DATA_DIR: vars.string('a directory path', /^\S.*$/, './.data'),
  /** The API's port (GraphQL, GraphiQL, graphql-ws and SSE at /graphql). */
  PORT: vars.int(1, 65535, 4000),
  /** MQTT port of the private nats-server (devices publish readings there); when taken, it runs without MQTT. */
  MQTT_PORT: vars.int(1, 65535, 1883),
  /** The projector's /metrics, /healthz, /readyz (0: any free port; off: none). */
  PROJECTOR_METRICS_PORT: metricsPortVar(4001),
  /** The first simulator's; the others take the next ports (4002, 4003, 4004). */
  SIMULATOR_METRICS_PORT: metricsPortVar(4002),
  /** Bootstrap admin, created by the API when no user exists; the password is generated once under DATA_DIR when not given. */
  ADMIN_USERNAME: vars.string('a username (3–50 of A–Z a–z 0–9 _ . -)', /^[A-Za-z0-9_.-]{3,50}$/, 'admin'),
  ADMIN_PASSWORD: vars.string('a password of 8–128 characters', /^$|^.{8,128}$/s, ''),
};

export type LauncherConfig = Config<typeof launcherVars>;

export const loadLauncherConfig = (env: NodeJS.ProcessEnv = process.env): LauncherConfig => loadConfig(launcherVars, env);
