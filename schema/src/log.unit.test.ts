import { describe, expect, it } from 'vitest';
import { createLogger, scrubSecrets } from './log.ts';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const logger = createLogger('test', 'trace', {
    write: (line: string) => {
      raw.push(line);
      lines.push(JSON.parse(line) as Record<string, unknown>);
    },
  });
  return { logger, lines, raw };
}

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJlLWJ5dGVz';
const API_KEY = `sk_0f8fad5b-d9cb-469f-a165-70867728950e_${'A'.repeat(43)}`;

describe('createLogger', () => {
  it('writes a child logger\'s request id on each of its lines', () => {
    const { logger, lines } = capture();
    const request = logger.child({ requestId: 'req-1' });
    request.info('first');
    request.child({ part: 'core' }).warn('from a child of the child');
    logger.info('outside');
    expect(lines.map((l) => [l.msg, l.requestId])).toEqual([
      ['first', 'req-1'],
      ['from a child of the child', 'req-1'],
      ['outside', undefined],
    ]);
  });

  it('redacts credential fields wherever they sit one level down, and GraphQL variables', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: 'p1',
        user: { password: 'p2', refreshToken: 'r1', name: 'alice' },
        headers: { authorization: 'Bearer x', cookie: 'c' },
        connectionParams: { authorization: 'Bearer y' },
        variables: { password: 'p3', username: 'bob' },
        JWT_SECRET: 's',
      },
      'login',
    );
    const line = lines[0]!;
    expect(line.password).toBe('[redacted]');
    expect(line.user).toEqual({ password: '[redacted]', refreshToken: '[redacted]', name: 'alice' });
    expect(line.headers).toEqual({ authorization: '[redacted]', cookie: '[redacted]' });
    expect(line.connectionParams).toBe('[redacted]');
    expect(line.variables).toEqual({ password: '[redacted]', username: '[redacted]' });
    expect(line.JWT_SECRET).toBe('[redacted]');
  });

  it('scrubs anything shaped like a JWT or an API key from the whole line, messages and errors included', () => {
    const { logger, raw } = capture();
    logger.error({ err: new Error(`token ${JWT} refused`), note: `key ${API_KEY}` }, `presented ${JWT}`);
    expect(raw[0]).not.toContain('eyJhbGci');
    expect(raw[0]).not.toContain(API_KEY.slice(0, 20));
    expect((raw[0]!.match(/\[redacted\]/g) ?? []).length).toBeGreaterThanOrEqual(3);
  });
});

describe('scrubSecrets', () => {
  it('leaves a line without secrets untouched', () => {
    const line = '{"msg":"request completed","path":"/graphql","sk_count":3}';
    expect(scrubSecrets(line)).toBe(line);
  });
});
