/** A test environment (database, stream) on private servers that the test may crash and restart. */
import { createTestEnv, type TestEnv } from '../../support/env.ts';
import { PrivateNatsServer } from '../../support/processes.ts';
import { PrivatePostgres } from './postgres.ts';

export interface FaultServers {
  nats: PrivateNatsServer | null;
  postgres: PrivatePostgres | null;
  env: TestEnv;
  destroy(): Promise<void>;
}

/** Starts the private servers asked for; the others are the shared ones, used in an isolated database and stream. */
export async function startFaultServers(options: { nats: boolean; postgres: boolean }): Promise<FaultServers> {
  const nats = options.nats ? await PrivateNatsServer.start() : null;
  const postgres = options.postgres ? await PrivatePostgres.start().catch(async (error: unknown) => {
    await nats?.destroy();
    throw error;
  }) : null;
  let env: TestEnv;
  try {
    env = await createTestEnv({ natsUrl: nats?.url, databaseUrl: postgres?.url() });
  } catch (error) {
    await nats?.destroy();
    await postgres?.destroy();
    throw error;
  }
  // The test's own idle connections die with the server's too; the pool opens new ones when asked.
  env.db.on('error', () => undefined);
  return {
    nats,
    postgres,
    env,
    async destroy() {
      if (nats && postgres) {
        // Both servers go away with their data: just let go of the connections.
        await env.db.end().catch(() => undefined);
        await env.nc.close().catch(() => undefined);
      } else {
        // Drops the database and streams made on the shared servers; bounded, should a private server be down.
        await Promise.race([env.cleanup().catch(() => undefined), new Promise((r) => setTimeout(r, 20_000))]);
      }
      await nats?.destroy();
      await postgres?.destroy();
    },
  };
}
