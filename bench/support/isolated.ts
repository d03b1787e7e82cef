/**
 * A benchmark's own corner of the shared services: a database `sensors_bench_<id>`
 * (migrated) and streams named `BENCH_<ID>_<label>` with their own subject prefix.
 * Everything is registered with the cleanup as soon as it exists.
 */
import { randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import pg from 'pg';
import { commonVars } from '../../schema/src/config.ts';
import { dropDatabase, migrateDatabase } from '../../schema/src/database.ts';
import { ensureStreams, isNotFound } from '../../schema/src/stream.ts';
import { streamNames, type StreamNames } from '../../schema/src/subjects.ts';
import type { Cleanup } from './cleanup.ts';

export interface BenchEnvOptions {
  /** Any URL on the Postgres server to use; the database name is replaced. */
  databaseUrl?: string;
  natsUrl?: string;
}

export interface BenchEnv {
  id: string;
  databaseUrl: string;
  databaseName: string;
  natsUrl: string;
  nc: NatsConnection;
  jsm: JetStreamManager;
  db: pg.Pool;
  /** Creates a domain stream and its dead-letter stream under a new prefix; both are deleted at cleanup. */
  createStreams(label: string): Promise<StreamNames>;
  /** The environment a child process (projector, simulator) needs to work on `names` in this database. */
  childEnv(names: StreamNames): Record<string, string>;
}

export async function createBenchEnv(cleanup: Cleanup, options: BenchEnvOptions = {}): Promise<BenchEnv> {
  const id = randomBytes(3).toString('hex');
  const databaseName = `sensors_bench_${id}`;
  const url = new URL(options.databaseUrl ?? process.env.DATABASE_URL ?? commonVars.DATABASE_URL.default);
  url.pathname = `/${databaseName}`;
  const databaseUrl = url.toString();
  const natsUrl = options.natsUrl ?? process.env.NATS_URL ?? commonVars.NATS_URL.default;

  cleanup.defer(`drop database ${databaseName}`, () => dropDatabase(databaseUrl));
  await migrateDatabase(databaseUrl);
  const db = new pg.Pool({ connectionString: databaseUrl, max: 4, application_name: 'bench' });
  cleanup.defer('close the database pool', () => db.end());
  const nc = await connect({ servers: natsUrl.split(','), name: `bench-${id}` });
  cleanup.defer('close the NATS connection', () => nc.close());
  const jsm = await jetstreamManager(nc);

  return {
    id,
    databaseUrl,
    databaseName,
    natsUrl,
    nc,
    jsm,
    db,
    async createStreams(label) {
      const names = streamNames(`BENCH_${id.toUpperCase()}_${label.toUpperCase()}`, `bench_${id}_${label.toLowerCase()}`);
      // Every stream ensureStreams makes is named after the domain stream (dead letters, logs, …).
      cleanup.defer(`delete streams ${names.stream}*`, async () => {
        const mine: string[] = [];
        for await (const name of jsm.streams.names()) if (name === names.stream || name.startsWith(`${names.stream}_`)) mine.push(name);
        for (const name of mine) {
          await jsm.streams.delete(name).catch((error: unknown) => {
            if (!isNotFound(error)) throw error;
          });
        }
      });
      await ensureStreams(jsm, names);
      return names;
    },
    childEnv(names) {
      return {
        DATABASE_URL: databaseUrl,
        NATS_URL: natsUrl,
        STREAM_NAME: names.stream,
        SUBJECT_PREFIX: names.prefix,
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
      };
    },
  };
}
