import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { printedSchema, SCHEMA_FILE } from './print-schema.ts';

describe('generated contracts', () => {
  it('has schema/schema.graphql printed from the current Pothos schema', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8'), 'schema/schema.graphql is stale: run `npm run codegen`').toBe(printedSchema());
  });

  it('has the SDK generated from the current schema and documents', async () => {
    const bin = new URL('../node_modules/.bin/graphql-codegen', import.meta.url).pathname;
    const run = promisify(execFile)(bin, ['--config', 'codegen.ts', '--check'], { cwd: new URL('..', import.meta.url).pathname });
    await expect(run, 'sdk/gql is stale: run `npm run codegen`').resolves.toBeDefined();
  });
});
