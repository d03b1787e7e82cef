/** Composition root of `sensorctl` (`npm run cli -- …`, or the `sensorctl` bin). */
import { processOutput } from './output.ts';
import { run } from './program.ts';

// A reader that stops early (`sensorctl tail | head -3`) is not an error of ours.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

const code = await run(process.argv.slice(2), { output: processOutput, env: process.env, stdin: process.stdin, server: null });
// Let stdout drain (a pipe may be slow) before leaving with the code.
process.exitCode = code;
if (process.stdout.writableLength === 0) process.exit(code);
else process.stdout.once('drain', () => process.exit(code));
