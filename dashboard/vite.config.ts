/** Builds the dashboard (Preact, plain CSS) into dashboard/dist, which the API serves at `/`. */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true, reportCompressedSize: false },
  // `npx vite dashboard` serves it with hot reload; the API (npm start) answers /graphql.
  server: { proxy: { '/graphql': { target: 'http://localhost:4000', ws: true } } },
});
