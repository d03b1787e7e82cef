/**
 * The fault-tolerance suite (issue #7): `npm run test:faults`. Each file starts private
 * servers and real processes and injects faults into them, so files run one at a time
 * (the machine has two cores) with generous timeouts.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  resolve: {
    // STACK trap 2: keep a single copy of graphql in the test realm.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['test/faults/**/*.faults.test.ts'],
    exclude: ['node_modules/**', '.data/**'],
    testTimeout: 240_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    maxWorkers: 1,
  },
});
