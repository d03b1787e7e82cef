import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // STACK trap 2: keep a single copy of graphql in the test realm.
    alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }],
  },
  test: {
    include: ['**/*.{unit,int,e2e}.test.ts'],
    exclude: ['node_modules/**', '.data/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests start real processes; two cores do not take more.
    fileParallelism: true,
    maxWorkers: 2,
  },
});
