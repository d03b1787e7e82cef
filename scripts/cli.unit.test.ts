import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeError, loadEnvFileIfPresent } from './cli.ts';

describe('loadEnvFileIfPresent', () => {
  const dir = mkdtempSync(join(tmpdir(), 'env-file-'));
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    delete process.env.CLI_TEST_FROM_FILE;
    delete process.env.CLI_TEST_GIVEN;
  });

  it('reads variables from the file without overriding those already in the environment', () => {
    const file = join(dir, '.env');
    writeFileSync(file, '# comment\nCLI_TEST_FROM_FILE=from-file\nCLI_TEST_GIVEN=from-file\n');
    process.env.CLI_TEST_GIVEN = 'from-environment';
    expect(loadEnvFileIfPresent(file)).toBe(file);
    expect(process.env.CLI_TEST_FROM_FILE).toBe('from-file');
    expect(process.env.CLI_TEST_GIVEN).toBe('from-environment');
  });

  it('does nothing when there is no file', () => {
    expect(loadEnvFileIfPresent(join(dir, 'missing.env'))).toBeNull();
  });
});

describe('describeError', () => {
  it('names every distinct cause of an AggregateError, which has no message of its own', () => {
    const error = new AggregateError([new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ECONNREFUSED 127.0.0.1:5432')], '');
    expect(describeError(error)).toBe('connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
  });

  it('falls back to the error code when the message is empty', () => {
    expect(describeError(Object.assign(new Error(''), { code: 'ECONNRESET' }))).toBe('ECONNRESET');
  });
});
