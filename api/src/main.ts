/** Composition root of the API process: `npm run api`. */
import { exitOnConfigError } from '../../schema/src/config.ts';
import { createLogger } from '../../schema/src/log.ts';
import { buildApp } from './app.ts';
import { loadApiEnv } from './config.ts';

async function main(): Promise<void> {
  let env;
  try {
    env = loadApiEnv();
    const logger = createLogger('api', env.LOG_LEVEL);
    const app = await buildApp({ env, logger });
    const { url } = await app.start();
    logger.info({ url, graphiql: env.GRAPHIQL }, `API listening: GraphQL${env.GRAPHIQL ? ' and GraphiQL' : ''} at ${url}`);
    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'API stopping: no new connections; finishing requests in flight');
      try {
        await app.stop();
      } catch (error) {
        logger.error({ err: error }, 'API did not stop cleanly');
        process.exit(1);
      }
      logger.info('API stopped');
      process.exit(0);
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
  } catch (error) {
    exitOnConfigError(error);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`API failed to start: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
