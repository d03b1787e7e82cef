/**
 * Isolation for integration tests: each test file gets its own database and its
 * own stream name and subject prefix on the shared services, removed afterwards.
 */
import { randomBytes } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import pg from 'pg';
import { migrateDatabase, dropDatabase } from '../../schema/src/database.ts';
import { ensureStreams } from '../../schema/src/stream.ts';
import { streamNames, type StreamNames } from '../../schema/src/subjects.ts';

export const SHARED_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const SHARED_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export interface TestEnv {
  id: string;
  databaseUrl: string;
  natsUrl: string;
  names: StreamNames;
  /** The env vars a child process needs to use this isolated environment. */
  env: Record<string, string>;
  nc: NatsConnection;
  db: pg.Pool;
  cleanup(): Promise<void>;
}

export interface TestEnvOptions {
  natsUrl?: string;
  databaseUrl?: string;
}

export async function createTestEnv(options: TestEnvOptions = {}): Promise<TestEnv> {
  const id = `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const base = new URL(options.databaseUrl ?? SHARED_DATABASE_URL);
  base.pathname = `/sensors_${id}`;
  const databaseUrl = base.toString();
  const natsUrl = options.natsUrl ?? SHARED_NATS_URL;
  const names = streamNames(id.toUpperCase(), id);
  await migrateDatabase(databaseUrl);
  const nc = await connect({ servers: natsUrl });
  await ensureStreams(await jetstreamManager(nc), names);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  const env = {
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl,
    STREAM_NAME: names.stream,
    SUBJECT_PREFIX: names.prefix,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
  };
  return {
    id,
    databaseUrl,
    natsUrl,
    names,
    env,
    nc,
    db,
    async cleanup() {
      await db.end().catch(() => undefined);
      if (!nc.isClosed()) {
        // No account check: a test that restarted its own nats-server may still be reconnecting, and
        // the check would throw where each delete below is allowed to fail.
        const jsm = await jetstreamManager(nc, { checkAPI: false });
        for (const stream of [names.stream, names.deadLetterStream, names.logStream]) {
          await jsm.streams.delete(stream).catch(() => undefined);
        }
        await nc.close();
      }
      await dropDatabase(databaseUrl);
    },
  };
}
