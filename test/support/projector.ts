/** A real readings projector started in-process on a test environment. */
import { createLogger } from '../../schema/src/log.ts';
import { buildProjector, type Projector } from '../../projector/src/projector.ts';
import type { TestEnv } from './env.ts';

export function startProjector(env: Pick<TestEnv, 'databaseUrl' | 'names' | 'nc'>, batchSize = 500): Projector {
  const projector = buildProjector(
    { databaseUrl: env.databaseUrl, names: env.names, batchSize, maxFutureMs: 300_000, retryDelayMs: 100 },
    { nc: env.nc, logger: createLogger('projector-test', process.env.TEST_LOG_LEVEL ?? 'silent') },
  );
  projector.start();
  return projector;
}
