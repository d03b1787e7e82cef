/** `npm run rebuild`: replay the stream into fresh read-model tables and swap them in, with progress on stderr. */
import { connect } from '@nats-io/transport-node';
import { exitOnConfigError } from '../../../schema/src/config.ts';
import { migrateDatabase } from '../../../schema/src/database.ts';
import { streamNames } from '../../../schema/src/subjects.ts';
import { loadProjectorConfig } from '../config.ts';
import { rebuildAlarms } from '../alarms/rebuild.ts';
import { rebuildReadModels } from './rebuild.ts';

async function main(): Promise<void> {
  let env;
  try {
    env = loadProjectorConfig();
  } catch (error) {
    exitOnConfigError(error);
  }
  const names = streamNames(env.STREAM_NAME, env.SUBJECT_PREFIX);
  await migrateDatabase(env.DATABASE_URL);
  const nc = await connect({ servers: env.NATS_URL.split(','), name: 'rebuild', noAsyncTraces: true });
  let lastPrint = 0;
  const result = await rebuildReadModels(
    { databaseUrl: env.DATABASE_URL, names, batchSize: env.PROJECTOR_BATCH_SIZE, maxFutureMs: env.MAX_FUTURE_SECONDS * 1000 },
    {
      nc,
      onProgress: ({ done, total, eventsPerSecond }) => {
        if (Date.now() - lastPrint < 1000 && done < total) return;
        lastPrint = Date.now();
        const percent = total ? ((100 * Math.min(done, total)) / total).toFixed(1) : '100.0';
        process.stderr.write(`rebuild: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} events (${percent}%), ${Math.round(eventsPerSecond).toLocaleString('en')} events/s\n`);
      },
    },
  );
  process.stderr.write('rebuild: replaying the alarms\n');
  const alarmsStarted = performance.now();
  const alarms = await rebuildAlarms({ databaseUrl: env.DATABASE_URL, names, batchSize: env.PROJECTOR_BATCH_SIZE, maxFutureMs: env.MAX_FUTURE_SECONDS * 1000 }, { nc });
  await nc.close();
  process.stdout.write(
    `rebuilt ${names.stream} up to sequence ${result.checkpoint} in ${result.seconds.toFixed(1)} s; read-model checksum ${result.checksum}\n`,
  );
  const alarmsSeconds = (performance.now() - alarmsStarted) / 1000;
  process.stdout.write(`rebuilt the alarms up to sequence ${alarms.checkpoint} in ${alarmsSeconds.toFixed(1)} s; alarms checksum ${alarms.checksum}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`rebuild failed: ${(error as Error).message}\n`);
  process.exit(1);
});
